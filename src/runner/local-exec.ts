import type { ExecResult } from '../task/types.js';
import { runLocal, showArgv } from './run-local.js';

/** ctx.local(): run a program on the control machine (argv, no shell); nonzero exit throws FailedError. */
export function localExec(argv: readonly string[], options: { cwd?: string; allowFailure?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<ExecResult> {
  return runLocal(`local ${showArgv(argv.slice(0, 1))}`, argv, options);
}
