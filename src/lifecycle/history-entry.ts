import { buildHistoryEntry, type HistoryEntry } from '../ops/release/history.js';
import type { HostReport } from '../runner/report.js';
import type { DeployContext } from './deploy-context.js';

export function historyEntry(
  d: DeployContext,
  action: HistoryEntry['action'],
  from: string | undefined,
  to: string | undefined,
  result: HistoryEntry['result'],
  error?: string,
  more?: { readonly bad?: string | undefined },
): HistoryEntry {
  const run = { user: d.owner.user, controlHost: d.owner.host, runId: d.runId, label: d.label, stage: d.stage };
  return buildHistoryEntry(run, { action, from, to, result, error, bad: more?.bad });
}

/** What only the flow knows, added to a host's line: how long the run took there, which step failed. */
export function withOutcome(h: HistoryEntry, report: HostReport, elapsedMs: number): HistoryEntry {
  const failed = h.result === 'ok' ? undefined : report.steps.find((s) => s.status === 'failed');
  return { ...h, durationMs: Math.round(elapsedMs), ...(failed ? { failedStep: failed.id } : {}) };
}
