import { dirname, resolve } from 'node:path';
import type { Jiti } from 'jiti';
import { loadJiti } from './load-jiti.js';
import { ProjectError } from '../errors/project-error.js';
import { OWN_ROOT, OWN_SRC, ownEntry } from './own-entries.js';

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
    const alias: Record<string, string> = { ferry: ownEntry('index'), 'ferry/storage': ownEntry('storage') };
    if (resolve(projectDir) === OWN_ROOT) {
      // this repo's own tasks/ import ../src/index.js and ../src/storage.js: the public entries
      alias['../src/index.js'] = ownEntry('index');
      alias['../src/storage.js'] = ownEntry('storage');
      alias['../src'] = OWN_SRC;
    }
    j = createJiti(import.meta.url, { fsCache: true, moduleCache: true, interopDefault: true, tryNative: true, alias });
    loaders.set(projectDir, j);
  }
  return j;
}

/** Load a project .ts file (tasks/*.ts) with jiti; syntax errors name file:line:column. */
export async function loadTsModule(
  file: string,
  projectDir = resolve(dirname(file), '..'),
): Promise<Record<string, unknown>> {
  try {
    return (await (await loader(projectDir)).import(file)) as Record<string, unknown>;
  } catch (err) {
    const e = err as Error & { loc?: { line: number; column: number } };
    const m = /\((\d+):(\d+)\)/.exec(e.message);
    const line = e.loc?.line ?? (m ? Number(m[1]) : undefined);
    const column = e.loc?.column ?? (m ? Number(m[2]) + 1 : undefined);
    throw new ProjectError(
      { file, ...(line !== undefined ? { line, column: column ?? 1 } : {}) },
      `cannot load: ${e.message.split('\n')[0]}`,
      { cause: err },
    );
  }
}
