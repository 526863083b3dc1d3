import type { RunReport } from '../runner/report.js';
import { withOptions } from '../shell/command.js';
import { supervisorRestart } from '../ops/supervisor/ctl.js';
import { SUPERVISOR_CONF } from '../ops/supervisor/apply.js';
import type { HostSession } from '../runner/host-session.js';
import { healthTarget } from '../rolling/health-gate.js';
import { rollHost } from '../rolling/roll-host.js';
import { rollout } from '../rolling/rollout.js';
import { ErrorGate } from '../rolling/error-gate.js';
import { takeOutAfterGate } from '../rolling/gate-take-out.js';
import { loadBalancersFor, type RollingSetup } from '../rolling/rolling-setup.js';
import type { DeployContext } from './deploy-context.js';
import { runLifecycle, type LifecycleInput, type Phase } from './flow.js';
import { historyEntry } from './history-entry.js';

export interface RestartInput extends LifecycleInput {
  readonly rolling: RollingSetup;
}

/** `supervisorctl restart <program>` on one host (planned only in --dry-run). */
async function restartProgram(s: HostSession, ctx: DeployContext, title: (t: string) => void): Promise<void> {
  const program = ctx.definition.program;
  // supervisord's socket is root's: through sudo when the SSH user is not root (README "Security notes")
  const c = withOptions(supervisorRestart({ conf: SUPERVISOR_CONF }, [program]), { asRoot: true });
  if (ctx.dryRun) {
    s.plan('restart', `restart ${program}`, c);
    return;
  }
  title(`supervisorctl restart ${program}`);
  await s.exec(c, { title: `restart ${program}`, id: 'restart', status: 'changed' });
}

/** Batch by batch: drain → supervisorctl restart → health → ready → UP; a failing host stays in maint. */
function rollingRestart(setup: RollingSetup): Phase {
  return {
    name: 'restart',
    run: (p) => {
      const lbs = loadBalancersFor(p.ctx.definition, setup);
      const gate = setup.errorGate && new ErrorGate(setup.errorGate, lbs, p.ctx.dryRun);
      // a restart has no other release to go back to: a batch over the error limit is taken out instead
      const after = gate && takeOutAfterGate(gate, lbs, p.sessions, setup.timeouts.drainMs);
      const work = (s: HostSession, ui: { title: (t: string) => void }) =>
        rollHost({
          session: s,
          lbs,
          server: s.host.name,
          health: healthTarget(s.host, p.ctx.definition.health),
          timeouts: setup.timeouts,
          title: ui.title,
          dryRun: p.ctx.dryRun,
          action: (title) => restartProgram(s, p.ctx, title),
        });
      return rollout(p.hosts, p.sessions, p.run, setup.rollout, work, 'batch', after);
    },
  };
}

/** `ferry restart`: lock, the rolling restart, history (of every host it reached), unlock. */
export function restart(i: RestartInput): Promise<RunReport> {
  const { ctx } = i;
  return runLifecycle(i, {
    action: 'restart',
    start: {
      phase: 'lock',
      run: async (h) => {
        const p = await h.lock({ id: 'none' });
        return { from: p.current, to: p.current, upToDate: false };
      },
    },
    phases: [rollingRestart(i.rolling)],
    end: ({ from, report }) => ({
      history:
        report.status === 'skipped'
          ? undefined
          : historyEntry(ctx, 'restart', from, from, report.status === 'ok' ? 'ok' : 'failed', report.error?.message),
      prune: false,
    }),
  });
}
