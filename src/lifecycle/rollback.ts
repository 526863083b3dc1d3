import type { RunReport } from '../runner/report.js';
import type { RollingSetup } from '../rolling/rolling-setup.js';
import { FailedError } from '../errors/failed-error.js';
import { runLifecycle, type LifecycleInput, type StartHost, type HostPlan } from './flow.js';
import { activation } from './activate.js';
import { historyEntry } from './history-entry.js';

export interface RollbackInput extends LifecycleInput {
  /** a named release; default: each host's `previous` */
  readonly to?: string | undefined;
  readonly rolling?: RollingSetup | undefined;
}

/** Under the lock: the host's target release, refused when it has none or lacks it. */
async function checkHost(h: StartHost, to: string | undefined): Promise<HostPlan> {
  const p = await h.lock({ id: to ?? 'none' });
  const name = h.session.host.name;
  const target = to ?? p.previous;
  if (!target) throw new FailedError(`no previous release to roll back to (current: ${p.current ?? 'none'})`, name);
  if (!p.releases.includes(target)) {
    throw new FailedError(`release ${target} is not on this host (it has: ${p.releases.join(', ') || 'none'})`, name);
  }
  return { from: p.current, to: target, upToDate: p.current === target };
}

/**
 * Back to the previous (or named) release on every selected host — through the same activation as
 * a deploy. Refused (exit 1, nothing switched) when any host lacks the release.
 */
export function rollback(i: RollbackInput): Promise<RunReport> {
  const { ctx } = i;
  return runLifecycle(i, {
    action: 'rollback',
    start: { phase: 'check', run: (h) => checkHost(h, i.to) },
    phases: [activation(i.rolling)],
    end: ({ plan, from, report, startFailed }) => {
      const good = startFailed.length === 0 && report.status === 'ok';
      const why = good ? undefined : (report.error?.message ?? 'rollback refused: a host lacks the release');
      return {
        history: historyEntry(ctx, 'rollback', from, good ? plan?.to : from, good ? 'ok' : 'failed', why),
        prune: false,
      };
    },
  });
}
