import { createJiti } from 'jiti';
import { ProjectError } from '../errors/project-error.js';

const jiti = createJiti(import.meta.url, { fsCache: true, moduleCache: true, interopDefault: true });

/** Load a project .ts file (tasks/*.ts, bundles/*\/bundle.ts) with jiti; syntax errors name file:line:column. */
export async function loadTsModule(file: string): Promise<Record<string, unknown>> {
  try {
    return (await jiti.import(file)) as Record<string, unknown>;
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
