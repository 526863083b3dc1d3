import type { Command } from '../shell/command.js';

/** One thing to do on a host: built by pure functions in src/ops/, executed only by the runner. */
export interface Step {
  /** stable key, e.g. `mdadm-create`: used in reports and tests */
  readonly id: string;
  /** what a human sees in the progress line and the report */
  readonly title: string;
  readonly command: Command;
  /** bytes written to the command's stdin (file contents, never on argv) */
  readonly stdin?: string | Uint8Array;
  /** a nonzero exit is not a failure */
  readonly allowFailure?: boolean;
}

export function step(
  id: string,
  title: string,
  command: Command,
  extra: Partial<Pick<Step, 'stdin' | 'allowFailure'>> = {},
): Step {
  return { id, title, command, ...extra };
}
