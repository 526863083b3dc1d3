import type { PrepOp } from './op.js';

/** Where a `prep.*` op was built: the caller's stack, formatted only when an error names it. */
export interface CallSite {
  readonly stack?: string;
}

/** The task file a run loaded: its absolute path (as in stack frames) and as shown to the user. */
export interface TaskFile {
  readonly path: string;
  readonly shown: string;
}

export interface FilePosition {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The first frame of `stack` in the task file: `shown:line:column`. The transpiler keeps lines
 * but not columns, so with the file's `text` the column is where the line's code starts (the
 * `prep.` of the op when it is there).
 */
export function positionIn(stack: string | undefined, task: TaskFile, text?: string): FilePosition | undefined {
  if (!stack) return undefined;
  const re = new RegExp(`(?:\\(|at |file://)${literal(task.path)}:(\\d+):(\\d+)`);
  const m = re.exec(stack);
  if (!m) return undefined;
  const line = Number(m[1]);
  const source = text?.split('\n')[line - 1];
  const op = source?.indexOf('prep.') ?? -1;
  const at = op >= 0 ? op : (source?.search(/\S/) ?? -1);
  return { file: task.shown, line, column: at >= 0 ? at + 1 : Number(m[2]) };
}

export const formatPosition = (p: FilePosition): string => `${p.file}:${p.line}:${p.column}`;

/** Wrap an op factory so each op remembers the line of the task that built it. */
export function sited<A extends unknown[], R extends PrepOp>(factory: (...args: A) => R): (...args: A) => R {
  const built = (...args: A): R => {
    const site: { stack?: string } = {};
    // captures lazily: the frames are formatted only if `stack` is read (an error names the op)
    Error.captureStackTrace(site, built);
    return { ...factory(...args), site };
  };
  return built;
}
