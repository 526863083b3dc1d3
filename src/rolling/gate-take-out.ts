import type { HostReport } from '../runner/report.js';
import type { HostSession } from '../runner/host-session.js';
import type { ErrorGate } from './error-gate.js';
import type { LoadBalancers } from './load-balancers.js';
import type { AfterBatch } from './rollout.js';

/**
 * The error-rate gate of a rolling restart. A restart has no other release to switch back to, so a
 * batch over the limit is treated as any failed restart is (DESIGN.md "Rolling restart"): each of
 * its hosts is drained, waited on until its sessions reach 0, put in maint, and reported failed.
 */
export function takeOutAfterGate(
  gate: ErrorGate,
  lbs: LoadBalancers,
  sessions: ReadonlyMap<string, HostSession>,
  drainMs: number,
): AfterBatch {
  const judged = gate.afterBatch(sessions, (r) => r.status === 'ok');
  return async (batch, reports, index) => {
    const after = await judged(batch, reports, index);
    if (!after.stop) return after;
    const why = gate.stoppedBy ?? 'the error-rate gate stopped the rollout';
    const out = await Promise.all(
      after.reports.map(async (r): Promise<HostReport> => {
        const s = sessions.get(r.host);
        if (r.status !== 'ok' || !s) return r;
        const mark = s.steps.length;
        const l = lbs.about(s);
        let message = `[${r.host}] ${why} — drained and left in maint`;
        try {
          await l.setState(r.host, 'drain');
          await l.waitFor(r.host, 'drain', (row) => row.scur === 0, drainMs);
          await l.setState(r.host, 'maint');
        } catch (err) {
          message = `[${r.host}] ${why} — taking it out of rotation failed: ${(err as Error).message}`;
        }
        const steps = [...r.steps, ...s.steps.slice(mark)];
        return { ...r, status: 'failed', error: { kind: 'failed', message }, steps };
      }),
    );
    return { reports: out, stop: true };
  };
}
