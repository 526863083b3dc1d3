import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { UsageError } from '../errors/usage-error.js';
import { OWN_ROOT } from './own-entries.js';
import { stageNames } from './stages.js';

export type ScaffoldKind = 'node' | 'python';

export interface ScaffoldOptions {
  readonly projectDir: string;
  readonly kind: ScaffoldKind;
  /** the bundle name; default: package.json's name (without a scope), else the folder's name */
  readonly app?: string | undefined;
  /** overwrite files that exist (otherwise they are skipped) */
  readonly force?: boolean | undefined;
}

export interface ScaffoldResult {
  readonly app: string;
  readonly written: readonly string[];
  readonly skipped: readonly string[];
  /** set when the folder is a ferry project already and nothing was written */
  readonly existing?: string | undefined;
}

/** The files ferry init writes live in ferry's package (templates/init), as real files to read and lint. */
const TEMPLATES = join(OWN_ROOT, 'templates', 'init');
/** Names git or npm would treat specially inside ferry's own tree, renamed when written. */
const RENAME: Record<string, string> = { '_ferry/gitignore': '.ferry/.gitignore' };
const NAME = /^[a-z0-9][a-z0-9._-]*$/;

function files(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(dir, join(prefix, e.name)) : [join(prefix, e.name)],
  );
}

function defaultApp(projectDir: string): string {
  try {
    const pkg = JSON.parse(readFileSync(join(projectDir, 'package.json'), 'utf8')) as { name?: unknown };
    if (typeof pkg.name === 'string' && pkg.name) return pkg.name.replace(/^@[^/]+\//, '');
  } catch {
    // no package.json (or not JSON): the folder's name
  }
  return basename(projectDir)
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-');
}

/**
 * Write a ferry project into an existing folder: ferry.yaml, inventories/{staging,production}.yaml,
 * tasks/example.ts, tsconfig.json, bundles/<app>/ (node or python). An existing file is never
 * replaced without `force`; a folder that already has an inventory gets nothing at all.
 */
export function scaffold(o: ScaffoldOptions): ScaffoldResult {
  const app = o.app ?? defaultApp(o.projectDir);
  if (!NAME.test(app))
    throw new UsageError(`"${app}" cannot name a bundle (lower-case letters, digits, . _ -): pass --name NAME`);
  if (!o.force) {
    const single = join(o.projectDir, 'inventory.yaml');
    const existing = existsSync(single)
      ? single
      : stageNames(o.projectDir).length
        ? join(o.projectDir, 'inventories')
        : undefined;
    if (existing) return { app, written: [], skipped: [], existing };
  }
  const pkg = app.replace(/[^a-z0-9_]/g, '_');
  const fill = (text: string) => text.replaceAll('__APP__', app).replaceAll('__PKG__', pkg);
  const written: string[] = [];
  const skipped: string[] = [];
  for (const part of ['common', o.kind]) {
    const root = join(TEMPLATES, part);
    for (const f of files(root).sort()) {
      const target = fill(RENAME[f] ?? f);
      const file = join(o.projectDir, target);
      if (existsSync(file) && !o.force) {
        skipped.push(target);
        continue;
      }
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, fill(readFileSync(join(root, f), 'utf8')));
      written.push(relative(o.projectDir, file));
    }
  }
  return { app, written, skipped };
}
