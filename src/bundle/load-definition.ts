import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isMap, isNode, isSeq, LineCounter, parseDocument } from 'yaml';
import { ProjectError, type SourcePosition } from '../errors/index.js';
import { parseBundle } from './schema.js';
import { ownImports, ownModule, type OwnTarget } from '../project/own-entries.js';
import { loadJiti } from '../project/load-jiti.js';
import { loadErrorAt } from '../project/load-module.js';
import { locateInBundleSource } from './source-position.js';
import type { BundleDefinition, BundleHooks } from './definition.js';

/**
 * How a bundle file reaches defineBundle: the in-repo relative import, or the package name.
 * Aliased to the running CLI's own public entry, so a bundle.ts taken out of its repo (from
 * `git archive` of a tag) still loads, and shares the CLI's copy of ferry.
 */
const OWN = {
  '../../src/bundle/define-bundle.js': { entry: 'index' },
  '../../src/bundle/define-bundle': { entry: 'index' },
  '../../src/bundle/index.js': { path: ownModule('bundle/index') },
  '../../src/index.js': { entry: 'index' },
  ferry: { entry: 'index' },
} as const satisfies Record<string, OwnTarget>;

export interface LoadedDefinition {
  readonly definition: BundleDefinition;
  readonly source: { repo?: string | undefined; path?: string | undefined } | undefined;
  /** the hook functions (not part of the JSON definition) */
  readonly hooks: BundleHooks;
}

/** `bundle.yaml`: the same shape as data; errors name file:line:column. */
async function loadYaml(file: string, display: string, expectedName?: string): Promise<LoadedDefinition> {
  const lines = new LineCounter();
  const doc = parseDocument(await readFile(file, 'utf8'), {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: true,
  });
  const pos = (offset: number): SourcePosition => {
    const { line, col } = lines.linePos(offset);
    return { file: display, line, column: col };
  };
  const bad = doc.errors[0];
  if (bad) throw new ProjectError(pos(bad.pos[0]), bad.message.split('\n')[0] ?? 'invalid YAML');
  const locate = (path: readonly PropertyKey[]): SourcePosition => {
    let node: unknown = doc.contents;
    let found: unknown = node;
    for (const part of path) {
      if (!isMap(node) && !isSeq(node)) break;
      const next: unknown = node.get(part, true);
      if (next === undefined) break;
      node = next;
      found = next;
    }
    return isNode(found) && found.range ? pos(found.range[0]) : { file: display };
  };
  return parseBundle(doc.toJS(), display, expectedName, locate);
}

/**
 * Load and validate `bundle.ts` (or .mts/.js, or `bundle.yaml` as plain data) at `file`.
 * `display` names it in errors (e.g. `bundles/demo/bundle.ts`).
 */
export async function loadDefinition(file: string, display: string, expectedName?: string): Promise<LoadedDefinition> {
  if (/\.ya?ml$/.test(file)) return loadYaml(file, display, expectedName);
  const { createJiti } = loadJiti(); // only when there is a .ts file to load
  const jiti = createJiti(import.meta.url, { moduleCache: false, fsCache: true, tryNative: true, ...ownImports(OWN) });
  let value: unknown;
  try {
    value = await jiti.import(file, { default: true });
  } catch (e) {
    const { position, message } = loadErrorAt(display, e);
    throw new ProjectError(position, `cannot load bundle definition: ${message}`, { cause: e });
  }
  const text = await readFile(file, 'utf8');
  const locate = (path: readonly PropertyKey[]): SourcePosition => ({
    file: display,
    ...locateInBundleSource(text, path),
  });
  return parseBundle(value, display, expectedName, locate);
}

/** The definition file in a bundle folder, if any. */
export function definitionFile(dir: string): string | undefined {
  for (const f of ['bundle.ts', 'bundle.mts', 'bundle.js', 'bundle.mjs', 'bundle.yaml', 'bundle.yml']) {
    const p = `${dir}/${f}`;
    if (existsSync(p)) return p;
  }
  return undefined;
}
