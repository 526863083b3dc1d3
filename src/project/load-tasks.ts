import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { ProjectError } from '../errors/project-error.js';
import type { TaskDefinition } from '../task/types.js';
import { loadTsModule } from './load-module.js';

export interface LoadedTask {
  readonly file: string;
  readonly definition: TaskDefinition;
}

function isTask(v: unknown): v is TaskDefinition {
  const t = v as TaskDefinition;
  return typeof v === 'object' && v !== null && typeof t.name === 'string' && typeof t.run === 'function';
}

/** Every tasks/*.ts of the project, validated: a name, a description, a run function, params as a zod object. */
export async function loadTasks(projectDir: string): Promise<LoadedTask[]> {
  const dir = join(projectDir, 'tasks');
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const tasks = await Promise.all(
    files.map(async (f) => {
      const file = join(dir, f);
      const shown = relative(process.cwd(), file) || file;
      const mod = await loadTsModule(file, undefined, shown);
      const def = mod.default ?? mod.task;
      if (!isTask(def))
        throw new ProjectError({ file: shown }, 'expected `export default defineTask({ name, description, run })`');
      if (!/^[a-z][a-z0-9-]*$/.test(def.name))
        throw new ProjectError({ file: shown }, `task name "${def.name}" must be lower-case words joined by -`);
      if (typeof def.description !== 'string' || !def.description)
        throw new ProjectError({ file: shown }, `task ${def.name} needs a description`);
      if (def.params !== undefined && typeof (def.params as { safeParse?: unknown }).safeParse !== 'function') {
        throw new ProjectError(
          { file: shown },
          `task ${def.name}: params must be a zod object schema (z.object({...}))`,
        );
      }
      return { file: shown, definition: def };
    }),
  );
  const seen = new Map<string, string>();
  for (const t of tasks) {
    const prev = seen.get(t.definition.name);
    if (prev) throw new ProjectError({ file: t.file }, `task name "${t.definition.name}" is also defined in ${prev}`);
    seen.set(t.definition.name, t.file);
  }
  return tasks;
}
