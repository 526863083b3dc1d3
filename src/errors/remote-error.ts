import { FerryError } from './ferry-error.js';

/** How much of stdout/stderr an error or report keeps. */
export const TAIL_BYTES = 2000;

export function tail(text: string, max = TAIL_BYTES): string {
  return text.length <= max ? text : `…${text.slice(text.length - max)}`;
}

export interface RemoteFailure {
  readonly host: string;
  /** rendered with secrets masked */
  readonly command: string;
  readonly exitCode: number | null;
  readonly signal?: string | undefined;
  readonly stdout: string;
  readonly stderr: string;
  /** the step that failed, when a plan ran */
  readonly step?: string | undefined;
}

/** A command exited nonzero (or was killed) on a host: exit 1. stdout/stderr are tails, masked. */
export class RemoteCommandError extends FerryError {
  readonly kind = 'remote' as const;
  readonly command: string;
  readonly exitCode: number | null;
  readonly signal: string | undefined;
  readonly stdout: string;
  readonly stderr: string;
  readonly step: string | undefined;

  constructor(f: RemoteFailure, message?: string) {
    const why = f.exitCode === null ? `killed by ${f.signal ?? 'signal'}` : `exit ${f.exitCode}`;
    const detail = tail(f.stderr.trim() || f.stdout.trim(), 400);
    super(
      message ?? `[${f.host}] ${f.step ? f.step : `\`${f.command}\``} failed (${why})${detail ? `: ${detail}` : ''}`,
      f.host,
    );
    this.command = f.command;
    this.exitCode = f.exitCode;
    this.signal = f.signal;
    this.stdout = tail(f.stdout);
    this.stderr = tail(f.stderr);
    this.step = f.step;
  }
}
