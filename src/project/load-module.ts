import { dirname, resolve } from 'node:path';
import type { Jiti } from 'jiti';
import { loadJiti } from './load-jiti.js';
import { ProjectError, type SourcePosition } from '../errors/project-error.js';
import { OWN_ROOT, OWN_SRC, ownImports, type OwnTarget } from './own-entries.js';

const loaders = new Map<string, Jiti>();

/**
 * One jiti per project. Imports of ferry itself (`ferry`, `ferry/storage`, and `../src/…` from this
 * repo's own tasks/) go to the already-compiled library, loaded natively: only the project's own
 * .ts files are transpiled (and cached on disk).
 */
async function loader(projectDir: string): Promise<Jiti> {
  let j = loaders.get(projectDir);
  if (!j) {
    const { createJiti } = loadJiti(); // only when there is a .ts file to load
    const own: Record<string, OwnTarget> = { ferry: { entry: 'index' }, 'ferry/storage': { entry: 'storage' } };
    if (resolve(projectDir) === OWN_ROOT) {
      // this repo's own tasks/ import ../src/index.js and ../src/storage.js: the public entries
      own['../src/index.js'] = { entry: 'index' };
      own['../src/storage.js'] = { entry: 'storage' };
      own['../src'] = { path: OWN_SRC };
    }
    j = createJiti(import.meta.url, {
      fsCache: true,
      moduleCache: true,
      interopDefault: true,
      tryNative: true,
      ...ownImports(own),
    });
    loaders.set(projectDir, j);
  }
  return j;
}

/**
 * Where a module failed to load, from the transpiler's error: babel's `loc`, or the position
 * jiti writes into the message (`… (4:2)` or a last line ` /abs/file.ts:4:2`; columns 0-based).
 */
export function loadErrorAt(display: string, err: unknown): { position: SourcePosition; message: string } {
  const e = err instanceof Error ? (err as Error & { loc?: { line: number; column: number } }) : undefined;
  const text = e?.message ?? String(err);
  const m = /\((\d+):(\d+)\)/.exec(text) ?? /:(\d+):(\d+)\s*$/.exec(text);
  const line = e?.loc?.line ?? (m ? Number(m[1]) : undefined);
  const column = e?.loc ? e.loc.column + 1 : m ? Number(m[2]) + 1 : undefined;
  const position = { file: display, ...(line !== undefined ? { line, column: column ?? 1 } : {}) };
  return { position, message: (text.split('\n')[0] ?? text).trim() };
}

/** Load a project .ts file (tasks/*.ts) with jiti; syntax errors name file:line:column. */
export async function loadTsModule(
  file: string,
  projectDir = resolve(dirname(file), '..'),
  display = file,
): Promise<Record<string, unknown>> {
  try {
    return (await (await loader(projectDir)).import(file)) as Record<string, unknown>;
  } catch (err) {
    const { position, message } = loadErrorAt(display, err);
    throw new ProjectError(position, `cannot load: ${message}`, { cause: err });
  }
}
