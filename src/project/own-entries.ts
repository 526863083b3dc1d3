import { existsSync, readFileSync } from 'node:fs';
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
