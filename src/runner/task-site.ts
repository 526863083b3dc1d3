import { readFileSync } from 'node:fs';
import { ProjectError } from '../errors/project-error.js';
import { positionIn, type TaskFile } from '../ops/prep/site.js';

/**
 * A usage error raised while a task ran (a `prep.*` op given a relative path, a mode that is not
 * octal…) becomes a ProjectError naming the task's file:line:column, from the error's own stack.
 * Matched by kind, not class: a project's task loads ferry's library entry, a bundle of its own.
 */
export function atTaskLine(err: unknown, task: TaskFile): unknown {
  const e = err as { kind?: unknown; message?: unknown; stack?: unknown } | undefined;
  if (e?.kind !== 'usage' || typeof e.message !== 'string') return err;
  const at = positionIn(typeof e.stack === 'string' ? e.stack : undefined, task, taskText(task));
  return at ? new ProjectError(at, e.message, { cause: err }) : err;
}

/** The task's source, to place a column (read only when an error names a line; undefined if unreadable). */
export function taskText(task: TaskFile): string | undefined {
  try {
    return readFileSync(task.path, 'utf8');
  } catch {
    return undefined;
  }
}
