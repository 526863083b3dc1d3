import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createJiti } from 'jiti';
import { ProjectError } from '../errors/index.js';
import { parseBundle } from './schema.js';
import type { BundleDefinition } from './definition.js';

/** This module's sibling, as source (.ts under vitest/jiti) or compiled (.js under dist/). */
function sibling(relative: string): string {
  const js = fileURLToPath(new URL(relative, import.meta.url));
  if (existsSync(js)) return js;
  const ts = js.replace(/\.js$/, '.ts');
  return existsSync(ts) ? ts : js;
}

/**
 * How a bundle file reaches defineBundle: the in-repo relative import, or the package name.
 * Aliased, so a bundle.ts taken out of its repo (from `git archive` of a tag) still loads.
 */
function aliases(): Record<string, string> {
  const define = sibling('./define-bundle.js');
  const index = sibling('../index.js');
  return {
    '../../src/bundle/define-bundle.js': define,
    '../../src/bundle/define-bundle': define,
    '../../src/bundle/index.js': sibling('./index.js'),
    '../../src/index.js': index,
    ferry: index,
  };
}

export interface LoadedDefinition {
  readonly definition: BundleDefinition;
  readonly source: { repo?: string | undefined; path?: string | undefined } | undefined;
}

/**
 * Load and validate `bundle.ts` (or .mts/.js) at `file`. `display` names it in errors
 * (e.g. `bundles/demo/bundle.ts`).
 */
export async function loadDefinition(file: string, display: string, expectedName?: string): Promise<LoadedDefinition> {
  const jiti = createJiti(import.meta.url, { moduleCache: false, fsCache: false, alias: aliases() });
  let value: unknown;
  try {
    value = await jiti.import(file, { default: true });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new ProjectError({ file: display }, `cannot load bundle definition: ${message}`, { cause: e });
  }
  return parseBundle(value, display, expectedName);
}

/** The definition file in a bundle folder, if any. */
export function definitionFile(dir: string): string | undefined {
  for (const f of ['bundle.ts', 'bundle.mts', 'bundle.js', 'bundle.mjs']) {
    const p = `${dir}/${f}`;
    if (existsSync(p)) return p;
  }
  return undefined;
}
