import type { HistoryEntry } from '../ops/release/history.js';
import type { DeployContext } from './deploy-context.js';

export function historyEntry(
  d: DeployContext, action: HistoryEntry['action'], from: string | undefined, to: string | undefined, result: HistoryEntry['result'], error?: string,
): HistoryEntry {
  const m = d.label;
  return {
    at: new Date().toISOString(), action, user: d.owner.user, controlHost: d.owner.host, runId: d.runId,
    bundle: m.name, id: to, tag: m.tag, commit: m.commit, from, to, result, ...(error ? { error } : {}),
  };
}
