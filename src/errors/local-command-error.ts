import { FailedError } from './failed-error.js';

export interface LocalFailure {
  /** the argv as run (no shell) */
  readonly argv: readonly string[];
  readonly exitCode: number | null;
  readonly signal?: string | undefined;
  /** the tail of its stderr */
  readonly stderr: string;
}

/** A command on the control machine exited nonzero or was killed: exit 1, like a failed host step. */
export class LocalCommandError extends FailedError {
  readonly argv: readonly string[];
  readonly exitCode: number | null;
  readonly signal: string | undefined;
  readonly stderr: string;

  constructor(message: string, f: LocalFailure) {
    super(message);
    this.argv = f.argv;
    this.exitCode = f.exitCode;
    this.signal = f.signal;
    this.stderr = f.stderr;
  }
}
