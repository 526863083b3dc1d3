import { finishCommand } from '../ops/release/finish.js';
import type { HistoryEntry } from '../ops/release/history.js';
import type { HostSession } from '../runner/host-session.js';
import type { DeployContext } from './deploy-context.js';

/** Append history, prune (on success), release our lock: the last round trip on a host. */
export async function finishHost(
  s: HostSession,
  d: DeployContext,
  o: { history?: HistoryEntry; prune: boolean; unlock: boolean },
): Promise<void> {
  if (d.dryRun) return;
  if (!o.history && !o.prune && !o.unlock) return;
  const command = finishCommand({
    paths: d.paths,
    history: o.history,
    keep: o.prune ? d.definition.keep : undefined,
    unlock: o.unlock,
  });
  await s.exec(command, { title: 'history + prune + unlock', id: 'finish' });
}
