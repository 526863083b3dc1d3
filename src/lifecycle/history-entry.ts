import { buildHistoryEntry, type HistoryEntry } from '../ops/release/history.js';
import type { DeployContext } from './deploy-context.js';

export function historyEntry(
  d: DeployContext,
  action: HistoryEntry['action'],
  from: string | undefined,
  to: string | undefined,
  result: HistoryEntry['result'],
  error?: string,
): HistoryEntry {
  const run = { user: d.owner.user, controlHost: d.owner.host, runId: d.runId, label: d.label };
  return buildHistoryEntry(run, { action, from, to, result, error });
}
