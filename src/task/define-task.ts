import type { ParamsSchema, TaskDefinition } from './types.js';

/** Declare a task: `export default defineTask({...})` in tasks/<name>.ts. Types flow from `params`. */
export function defineTask<S extends ParamsSchema>(definition: TaskDefinition<S>): TaskDefinition<S> {
  return definition;
}
