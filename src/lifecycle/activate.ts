import type { Host } from '../inventory/types.js';
import type { HostReport } from '../runner/report.js';
import { runOnHosts } from '../runner/run-hosts.js';
import { healthTarget } from '../rolling/health-gate.js';
import { rollHost } from '../rolling/roll-host.js';
import { rollout } from '../rolling/rollout.js';
import { isLbHost, loadBalancersFor, type RollingSetup } from '../rolling/rolling-setup.js';
import { activateHost } from './activate-host.js';
import type { HostPlan, Phase, PhaseRun } from './flow.js';

const untouched = (hosts: readonly Host[]): HostReport[] =>
  hosts.map((h) => ({ host: h.name, status: 'untouched', durationMs: 0, channels: 0, steps: [], changes: 0 }));

const failed = (phases: readonly HostReport[][]) =>
  phases.flat().some((r) => r.status === 'failed' || r.status === 'unreachable');

/** Every host at once (bounded by -j); a host already on its plan's release is left alone. */
async function atOnce(
  p: PhaseRun,
  hosts: readonly Host[],
  plans: ReadonlyMap<string, HostPlan> = p.plans,
): Promise<HostReport[]> {
  return runOnHosts({ ...p.run, hosts, sessions: p.sessions, phase: 'activate' }, async (s, ui) => {
    const plan = plans.get(s.host.name);
    if (!plan?.to) throw new Error(`no plan for ${s.host.name}`);
    if (plan.upToDate) {
      ui.title(`already on ${plan.to}`);
      return { activated: false };
    }
    await activateHost(s, p.ctx, plan.to, ui.title, plan.configHash);
    return { activated: true };
  });
}

/**
 * Behind HAProxy: LB hosts first (config reload that keeps server states), then the app hosts batch
 * by batch — drain, switch + reload + restart, health gate, ready, UP. A host failing its gate is
 * switched back to its `from` release; an aborted rollout puts the LBs back on theirs too.
 */
async function rolling(p: PhaseRun, setup: RollingSetup): Promise<HostReport[][]> {
  const def = p.ctx.definition;
  const lbs = loadBalancersFor(def, setup);
  const lbHosts = p.hosts.filter((h) => isLbHost(def, h.roles));
  const appHosts = p.hosts.filter((h) => !isLbHost(def, h.roles));
  const phases: HostReport[][] = [];
  if (lbHosts.length) {
    phases.push(await atOnce(p, lbHosts));
    if (failed(phases)) return [...phases, untouched(appHosts)];
  }
  const rolled = await rollout(appHosts, p.sessions, p.run, setup.rollout, async (s, ui) => {
    const plan = p.plans.get(s.host.name);
    if (!plan?.to) throw new Error(`no plan for ${s.host.name}`);
    const { to, from } = plan;
    if (plan.upToDate) {
      ui.title(`already on ${to}`);
      return { activated: false };
    }
    await rollHost({
      session: s,
      lbs,
      server: s.host.name,
      health: healthTarget(s.host, def.health),
      timeouts: setup.timeouts,
      title: ui.title,
      dryRun: p.ctx.dryRun,
      action: (title) => activateHost(s, p.ctx, to, title, plan.configHash),
      revert: from ? (title) => activateHost(s, p.ctx, from, title) : undefined,
    });
    return { activated: true };
  });
  phases.push(...rolled);
  const back = lbHosts.filter((h) => {
    const plan = p.plans.get(h.name);
    return plan?.from !== undefined && !plan.upToDate;
  });
  if (back.length && failed(rolled)) {
    const reverse = new Map(
      back.map((h) => {
        const plan = p.plans.get(h.name) as HostPlan;
        return [h.name, { from: plan.to, to: plan.from, upToDate: false }];
      }),
    );
    phases.push(await atOnce(p, back, reverse));
  }
  return phases;
}

/** The activation phase of a deploy or rollback: at once, or rolling when a setup is given (--batch). */
export function activation(setup: RollingSetup | undefined): Phase {
  return { name: 'activate', run: async (p) => (setup ? rolling(p, setup) : [await atOnce(p, p.hosts)]) };
}
