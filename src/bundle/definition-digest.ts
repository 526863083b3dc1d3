import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { BundleDefinition } from './definition.js';

/** Not part of a bundle folder's definition: installed or generated, never a template. */
const SKIP = new Set(['node_modules', '.git', '.ferry']);

/** Every file under `dir` (relative, '/'-separated, sorted): the definition and its templates and partials. */
export function definitionFiles(dir: string, rel = ''): string[] {
  const out: string[] = [];
  const names = readdirSync(rel ? `${dir}/${rel}` : dir, { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  for (const d of names) {
    if (SKIP.has(d.name)) continue;
    const path = rel ? `${rel}/${d.name}` : d.name;
    if (d.isDirectory()) out.push(...definitionFiles(dir, path));
    else if (d.isFile()) out.push(path);
  }
  return out;
}

/**
 * sha256 of a definition taken from the project's work tree (not from the tagged tree): the
 * validated definition and every file of its bundle folder. It is part of the cache key and of
 * the archive's manifest, so an edited bundle.ts or template is a new build with a new id.
 */
export function definitionDigest(definition: BundleDefinition, bundleDir: string): string {
  const h = createHash('sha256').update(JSON.stringify(definition));
  for (const f of definitionFiles(bundleDir)) h.update(`\0${f}\0`).update(readFileSync(`${bundleDir}/${f}`));
  return h.digest('hex');
}
