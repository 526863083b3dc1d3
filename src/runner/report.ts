import type { StepOutcome } from '../task/types.js';
import type { NotifyDelivery } from '../notify/types.js';

/**
 * untouched: a rollout stopped before reaching the host (it keeps its old release);
 * interrupted: Ctrl-C ended its running command
 */
export type HostStatus = 'ok' | 'failed' | 'unreachable' | 'skipped' | 'untouched' | 'interrupted';

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
  /** the phases in the order they ran (a lifecycle's: `stage …`, `activate`, `batch 1/2: …`, `finish`) */
  readonly phases?: readonly string[];
  /** what each notification sink (ferry.yaml `notify:`) was sent, and what did not arrive */
  readonly notify?: readonly NotifyDelivery[];
}

/** The phases of several runOnHosts rounds, in the order the rounds ran (each round's steps carry its phase). */
export function phasesOf(rounds: ReadonlyArray<readonly HostReport[]>): string[] {
  const names = rounds.flatMap((round) => round.flatMap((r) => r.steps.map((s) => s.phase)));
  return [...new Set(names.filter((p): p is string => p !== undefined))];
}

export function summarize(report: RunReport): {
  ok: number;
  failed: number;
  unreachable: number;
  untouched: number;
  interrupted: number;
} {
  const count = (s: HostStatus) => report.hosts.filter((h) => h.status === s).length;
  return {
    ok: count('ok'),
    failed: count('failed'),
    unreachable: count('unreachable'),
    untouched: count('untouched'),
    interrupted: count('interrupted'),
  };
}

/** `none`: the host had no release; `unknown`: a switch failed midway and was not switched back. */
export type LiveRelease = string;

/**
 * The release `current` points to on a host once a deploy, rollback or restart ended, read from
 * its report: switched back (a `revert` step ran) → `from`; switched (`activate` ran) → `to`; a
 * switch that failed and was not switched back → unknown; not switched → `from` (a host already
 * on `to` has from = to; a staged host that another host's failure kept from switching is still
 * on `from`). Undefined for a report with no release (a task).
 */
export function liveRelease(h: HostReport, dryRun = false): LiveRelease | undefined {
  const r = h.result;
  if (r === null || typeof r !== 'object' || !('to' in r)) return undefined;
  const { from, to } = r as { from?: string | null; to?: string | null };
  const none = (id: string | null | undefined) => id ?? 'none';
  if (dryRun) return none(from);
  const last = (id: string) => h.steps.filter((s) => s.id === id).at(-1);
  const revert = last('revert');
  if (revert) return revert.status === 'failed' ? 'unknown' : none(from);
  const activate = last('activate');
  if (activate) return activate.status === 'failed' ? 'unknown' : none(to);
  return none(from);
}

/** Names listed after a count, at most this many. */
const NAMED = 5;

/**
 * The summary's live line: `live: B on all 3 host(s)`, or `live: mixed — B on 2 (web1, web2), A on
 * 1 (web3)`; undefined when no host has a release in its report.
 */
export function formatLive(report: RunReport): string | undefined {
  const by = new Map<string, string[]>();
  for (const h of report.hosts) {
    const live = liveRelease(h, report.dryRun);
    if (live !== undefined) by.set(live, [...(by.get(live) ?? []), h.host]);
  }
  if (by.size === 0) return undefined;
  const what = report.dryRun ? 'live now' : 'live';
  const [only] = by;
  if (by.size === 1 && only) {
    const [id, hosts] = only;
    return `${what}: ${id} on ${hosts.length === 1 ? hosts[0] : `all ${hosts.length} hosts`}`;
  }
  const groups = [...by].sort((a, b) => b[1].length - a[1].length);
  const named = (hosts: readonly string[]) =>
    hosts.length <= NAMED ? hosts.join(', ') : `${hosts.slice(0, NAMED).join(', ')}, …`;
  return `${what}: mixed — ${groups.map(([id, hosts]) => `${id} on ${hosts.length} (${named(hosts)})`).join(', ')}`;
}
