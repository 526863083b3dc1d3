import type { z } from 'zod';
import type { Command, Word } from '../shell/command.js';
import type { Step } from '../ops/step.js';
import type { PrepOp } from '../ops/prep/op.js';
import type { Fact } from '../facts/fact.js';
import type { Host } from '../inventory/types.js';

export interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** nonzero exit returns the result instead of throwing */
  readonly allowFailure?: boolean;
  readonly stdin?: string | Uint8Array;
  readonly timeoutMs?: number;
  /** print the output on ferry's terminal line by line as it comes, `[host] ` prefixed (default true) */
  readonly stream?: boolean;
  /**
   * keep only the last 64 KiB of stdout and stderr in memory (the result's stdout/stderr then
   * start there): for output too big to hold, which still streams whole to the terminal and the log
   */
  readonly tailOnly?: boolean;
}

/** What happened to one step of a plan. */
export interface StepOutcome {
  readonly id: string;
  readonly title: string;
  /** rendered with secrets masked */
  readonly command: string;
  /** ok: ran (a probe or plain command); changed: a plan step ran; planned: --dry-run */
  readonly status: 'ok' | 'changed' | 'failed' | 'planned';
  readonly exitCode: number | null;
  readonly durationMs: number;
  readonly stdout: string;
  readonly stderr: string;
  /** the run's phase it belongs to (`stage …`, `activate`, `batch 1/2: …`), in a report */
  readonly phase?: string;
  /** bytes the step sends to the host (an upload), when known: a --dry-run plan adds them up */
  readonly bytes?: number;
}

/** Everything a task's `run` gets, once per host. */
export interface TaskContext<P> {
  readonly host: Host;
  /** every host of the inventory (for configs that list peers) */
  readonly hosts: readonly Host[];
  readonly params: P;
  readonly dryRun: boolean;
  /** run on the host: a string is a shell script, an array an argv quoted word by word */
  run(command: Command | readonly Word[] | string, options?: RunOptions): Promise<ExecResult>;
  /** like run, through sudo (password answered when sudo asks) */
  sudo(command: Command | readonly Word[] | string, options?: RunOptions): Promise<ExecResult>;
  /** read-only probe: runs even in --dry-run */
  fact<T>(fact: Fact<T>): Promise<T>;
  /**
   * Run a plan in order; in --dry-run only records it. Stops at the first failing step (throws).
   * With `prep.*` ops: probes all their facts in one round trip, refuses (PlanRefusedError) before
   * any change, runs only the missing steps, then each triggered handler once; a second run runs nothing.
   */
  apply(items: readonly (Step | PrepOp)[]): Promise<StepOutcome[]>;
  put(localPath: string, remotePath: string, options?: { mode?: number }): Promise<void>;
  get(remotePath: string, localPath: string): Promise<void>;
  /** run on the control machine (argv, no shell) */
  local(argv: readonly string[], options?: { cwd?: string }): Promise<ExecResult>;
  log(message: string): void;
  /** set the progress line's title for this host */
  title(text: string): void;
}

export interface Selection {
  readonly hosts?: readonly string[];
  readonly roles?: readonly string[];
}

export type ParamsSchema = z.ZodObject<z.ZodRawShape>;

export interface TaskDefinition<S extends ParamsSchema = ParamsSchema> {
  readonly name: string;
  readonly description: string;
  readonly params?: S;
  readonly defaultSelection?: Selection;
  run(ctx: TaskContext<z.output<S>>): Promise<unknown> | unknown;
}
