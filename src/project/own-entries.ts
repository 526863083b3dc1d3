import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

/** ferry's own root: the nearest folder up from this module whose package.json is ferry's. */
function ownRoot(): string {
  for (let dir = HERE; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'ferry') return dir;
    if (dirname(dir) === dir) throw new Error(`cannot find ferry's package.json above ${HERE}`);
  }
}

export const OWN_ROOT = ownRoot();

/** How this copy of ferry runs: the CLI bundle (dist/ferry, CommonJS), tsc's output (dist/src), or .ts sources (vitest). */
const BUNDLE_DIR = join(OWN_ROOT, 'dist', 'ferry');
const running: 'bundle' | 'compiled' | 'source' = `${HERE}${sep}`.startsWith(`${BUNDLE_DIR}${sep}`)
  ? 'bundle'
  : `${HERE}${sep}`.startsWith(`${join(OWN_ROOT, 'dist', 'src')}${sep}`)
    ? 'compiled'
    : 'source';

/** ferry's src/ as modules can import it: compiled (dist/src) unless running from sources. */
export const OWN_SRC = running === 'source' ? join(OWN_ROOT, 'src') : join(OWN_ROOT, 'dist', 'src');

/**
 * The public entry (`ferry` = index, `ferry/storage`) that task and bundle files get: the very
 * modules the running CLI uses, so both see one copy of every class (errors, zod). Under the
 * bundled CLI that is the bundle's own entry file, not tsc's copy of the same code.
 */
export function ownEntry(name: 'index' | 'storage'): string {
  if (running === 'bundle') return join(BUNDLE_DIR, `${name}.cjs`);
  return join(OWN_SRC, `${name}.${running === 'source' ? 'ts' : 'js'}`);
}

/** Any other module of ferry's src/ (`bundle/index`), as tsc compiled it or as source under vitest. */
export function ownModule(path: string): string {
  return join(OWN_SRC, `${path}.${running === 'source' ? 'ts' : 'js'}`);
}

/** What a specifier in a project's file stands for: one of ferry's public entries, or a path. */
export type OwnTarget = { readonly entry: 'index' | 'storage' } | { readonly path: string };

/**
 * The jiti options that give a project's .ts files (bundle.ts, tasks/*.ts) ferry's own modules.
 * Under the bundled CLI an entry is required here, natively, when a file first imports it, and
 * handed over as a virtual module: jiti would `import()` the CommonJS file, and Node's ESM loader
 * first runs its CommonJS export lexer over the whole of it (~50 ms on every deploy, for names
 * require() never needs). Run from dist/src or from sources, the entries are ESM files, reached by
 * alias.
 */
export function ownImports(targets: Readonly<Record<string, OwnTarget>>): {
  alias: Record<string, string>;
  virtualModules: Record<string, unknown>;
} {
  const alias: Record<string, string> = {};
  const virtualModules: Record<string, unknown> = {};
  for (const [specifier, t] of Object.entries(targets)) {
    if ('path' in t) alias[specifier] = t.path;
    else if (running === 'bundle') {
      const file = ownEntry(t.entry);
      // jiti reads the map by reference: a getter loads only what is imported (require caches it)
      Object.defineProperty(virtualModules, specifier, { enumerable: true, get: () => bundleRequire(file) });
    } else alias[specifier] = ownEntry(t.entry);
  }
  return { alias, virtualModules };
}

const bundleRequire = createRequire(import.meta.url);
