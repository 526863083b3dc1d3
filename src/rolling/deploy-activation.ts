import type { ActivateAll } from '../deploy/deploy.js';
import { activateAllAtOnce } from '../deploy/deploy.js';
import { activateHost } from '../deploy/activate-host.js';
import type { HostReport } from '../runner/report.js';
import { healthTarget } from './health-gate.js';
import { rollHost } from './roll-host.js';
import { rollout } from './rollout.js';
import { isLbHost, loadBalancersFor, type RollingSetup } from './rolling-setup.js';

/**
 * Activation behind HAProxy: LB hosts first (config reload that keeps server states), then the app
 * hosts batch by batch — drain, switch + reload + restart, health gate, ready, UP. A host failing
 * its gate is switched back to its previous release and readied when healthy again.
 */
export function rollingActivation(setup: RollingSetup): ActivateAll {
  return async (a) => {
    const def = a.ctx.definition;
    const lbs = loadBalancersFor(def, setup);
    const lbHosts = a.hosts.filter((h) => isLbHost(def, h.roles));
    const appHosts = a.hosts.filter((h) => !isLbHost(def, h.roles));
    const phases: HostReport[][] = [];
    if (lbHosts.length) {
      const lbPhase = await activateAllAtOnce({ ...a, hosts: lbHosts });
      phases.push(...lbPhase);
      if (lbPhase.flat().some((r) => r.status !== 'ok')) return phases;
    }
    const rolled = await rollout(appHosts, a.sessions, a.run, setup.rollout, async (s, ui) => {
        const target = a.targetOf(s.host.name);
        const before = a.currentOf(s.host.name);
        if (a.upToDate(s.host.name)) {
          ui.title(`already on ${target}`);
          return { activated: false };
        }
        await rollHost({
          session: s, lbs, server: s.host.name, health: healthTarget(s.host, def.health), timeouts: setup.timeouts, title: ui.title, dryRun: a.ctx.dryRun,
          action: (title) => activateHost(s, a.ctx, target, title, a.configOf(s.host.name)),
          revert: before ? (title) => activateHost(s, a.ctx, before, title) : undefined,
        });
        return { activated: true };
      });
    phases.push(...rolled);
    // an aborted rollout puts the LBs back on their previous release too (state-keeping reload)
    if (lbHosts.length && rolled.flat().some((r) => r.status === 'failed' || r.status === 'unreachable')) {
      phases.push(
        ...(await activateAllAtOnce({
          ...a, hosts: lbHosts.filter((h) => a.currentOf(h.name) && !a.upToDate(h.name)),
          targetOf: (h) => a.currentOf(h) ?? '', currentOf: (h) => a.targetOf(h), upToDate: () => false, configOf: () => undefined,
        })),
      );
    }
    return phases;
  };
}
