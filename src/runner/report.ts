import type { StepOutcome } from '../task/types.js';

/** untouched: a rollout stopped before reaching the host (it keeps its old release) */
export type HostStatus = 'ok' | 'failed' | 'unreachable' | 'skipped' | 'untouched';

export interface HostReport {
  readonly host: string;
  readonly status: HostStatus;
  readonly durationMs: number;
  /** exit code of the failing command, when one failed */
  readonly exitCode?: number | null;
  readonly error?: { readonly kind: string; readonly message: string };
  /** SSH channels opened (each a network round trip) */
  readonly channels: number;
  /** transient connect failures retried (refused, timed out, dropped before the banner); absent when none */
  readonly connectRetries?: number;
  readonly steps: readonly StepOutcome[];
  /** what the task returned, if it is JSON-friendly */
  readonly result?: unknown;
  /** how many plan steps changed something */
  readonly changes: number;
}

export interface RunReport {
  readonly runId: string;
  readonly command: string;
  readonly dryRun: boolean;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly hosts: readonly HostReport[];
}

export function summarize(report: RunReport): { ok: number; failed: number; unreachable: number; untouched: number } {
  const count = (s: HostStatus) => report.hosts.filter((h) => h.status === s).length;
  return { ok: count('ok'), failed: count('failed'), unreachable: count('unreachable'), untouched: count('untouched') };
}
