import type { Command } from '../../shell/command.js';
import type { Host } from '../../inventory/types.js';
import type { Step } from '../step.js';
import type { Refusal } from '../storage/refusal.js';
import type { CallSite, TaskFile } from './site.js';

/**
 * One read-only probe of an op, batched with every other op's into one round trip: a shell
 * script, or a path (stat'ed with all the others at once; with `content`, its bytes too).
 */
export type ProbeSection =
  | {
      readonly name: string;
      /** a shell script whose stdout is the fact (its failure leaves the section empty) */
      readonly script: string;
      /** runs before the batched paths (it sets a shell variable a `word` path reads) */
      readonly early?: boolean;
    }
  | {
      readonly name: string;
      /** a path only the host can name: a shell word (`"$ferry_home_x"`) set by an early section */
      readonly word: string;
      /** the same path from the op's sections, to find it in the batch (undefined: none) */
      resolve(s: Sections): string | undefined;
      readonly content?: boolean;
    }
  | {
      readonly name: string;
      /** the section reads `%F|%a|%U|%G|%s` (nothing when missing), then `=`+base64 or a sha256 */
      readonly path: string;
      readonly content?: boolean;
      /** instead: the section reads the link's target (nothing when it is not a link) */
      readonly link?: boolean;
    };

/** The sections an op probed: name → stdout; undefined when the section printed nothing. */
export type Sections = (name: string) => string | undefined;

/** What one op would do on a host, given its facts. */
export interface OpPlan {
  readonly steps: readonly Step[];
  /** what is already as wanted (shown in the report, nothing runs) */
  readonly unchanged: readonly string[];
  readonly refusals: readonly Refusal[];
  /** a unified diff of a file's content against the host's (files, templates, lines) */
  readonly diff?: string;
  /**
   * What it needs is not on the host yet (a systemd unit): refused unless an earlier op of the
   * same apply plans a change, which may bring it (the package that ships the unit).
   */
  readonly unlessEarlierChange?: Refusal;
}

/** Runs after the ops when one that names it changed something; once per apply. */
export interface Handler {
  readonly kind: 'prep-handler';
  readonly id: string;
  readonly title: string;
  readonly command: Command;
}

/** What the runner knows that an op may need before probing (a template renders here). */
export interface PrepEnv {
  readonly projectDir: string;
  readonly host: Host;
  readonly hosts: readonly Host[];
  /** the task file being run: refusals name the line of the op that refused */
  readonly taskFile?: TaskFile;
}

/** An idempotent operation: facts in (its probe sections), steps out (only the missing ones). */
export interface PrepOp<F = unknown> {
  readonly kind: 'prep-op';
  /** `file /etc/x`: names the op in steps, refusals and errors */
  readonly id: string;
  /** the host path (or name) it manages exclusively: two ops on one subject in one apply is a mistake */
  readonly subject?: string;
  readonly probes: readonly ProbeSection[];
  parse(sections: Sections): F;
  plan(facts: F): OpPlan;
  readonly onChange: readonly Handler[];
  /** where the task built it (set by the `prep.*` factories) */
  readonly site?: CallSite;
  /** sensitive content: no diff is shown or logged */
  readonly sensitive?: boolean;
  /** turn into the op that probes (a template renders its content here) */
  prepare?(env: PrepEnv): Promise<PrepOp>;
}

export function isPrepOp(x: unknown): x is PrepOp {
  return typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'prep-op';
}

export function handlers(then: Handler | readonly Handler[] | undefined): readonly Handler[] {
  if (then === undefined) return [];
  return Array.isArray(then) ? (then as readonly Handler[]) : [then as Handler];
}

export const noPlan: OpPlan = { steps: [], unchanged: [], refusals: [] };
