import type { Host } from '../inventory/types.js';
import type { HostReport, RunReport } from '../runner/report.js';
import { runOnHosts, type RunHostsOptions } from '../runner/run-hosts.js';
import { mergeHostReports } from '../runner/merge-reports.js';
import type { DeployContext } from '../deploy/deploy-context.js';
import { closeSessions, openSessions } from '../deploy/sessions.js';
import { takeLockAndProbe } from '../deploy/take-lock.js';
import { finishHost } from '../deploy/finish-host.js';
import { historyEntry } from '../deploy/history-entry.js';
import type { ProbeResult } from '../ops/release/probe.js';
import { supervisorRestart } from '../ops/supervisor/ctl.js';
import { SUPERVISOR_CONF } from '../ops/supervisor/apply.js';
import { healthTarget } from './health-gate.js';
import { rollHost } from './roll-host.js';
import { rollout } from './rollout.js';
import { loadBalancersFor, type RollingSetup } from './rolling-setup.js';

export interface RestartInput {
  readonly ctx: DeployContext;
  readonly hosts: readonly Host[];
  readonly run: RunHostsOptions;
  readonly command: string;
  readonly setup: RollingSetup;
}

/** `ferry restart`: lock, then batch by batch drain → supervisorctl restart → health → ready → UP; history; unlock. */
export async function restart(i: RestartInput): Promise<RunReport> {
  const { ctx, hosts } = i;
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  const sessions = openSessions(hosts, i.run);
  const probes = new Map<string, ProbeResult>();
  const phases: HostReport[][] = [];
  const def = ctx.definition;
  const lbs = loadBalancersFor(def, i.setup);
  try {
    phases.push(await runOnHosts({ ...i.run, sessions, phase: 'lock' }, async (s, ui) => {
      probes.set(s.host.name, await takeLockAndProbe(s, ctx, 'none', undefined, ui.title));
    }));
    if (phases[0]?.every((r) => r.status === 'ok')) {
      phases.push(...(await rollout(hosts, sessions, i.run, i.setup.rollout, async (s, ui) => {
        await rollHost({
          session: s, lbs, server: s.host.name, health: healthTarget(s.host, def.health), timeouts: i.setup.timeouts, title: ui.title, dryRun: ctx.dryRun,
          action: async (title) => {
            const c = supervisorRestart({ conf: SUPERVISOR_CONF }, [def.program]);
            if (ctx.dryRun) {
              s.plan('restart', `restart ${def.program}`, c);
              return;
            }
            title(`supervisorctl restart ${def.program}`);
            await s.exec(c, { title: `restart ${def.program}`, id: 'restart', status: 'changed' });
          },
        });
      })));
    }
    const merged = mergeHostReports(hosts, phases);
    phases.push(await runOnHosts({ ...i.run, sessions, phase: 'finish', hosts: hosts.filter((h) => probes.get(h.name)?.lock === 'acquired') }, async (s) => {
      const mine = merged.find((r) => r.host === s.host.name);
      const cur = probes.get(s.host.name)?.current;
      const untouched = mine?.status === 'skipped';
      await finishHost(s, ctx, {
        ...(untouched ? {} : { history: historyEntry(ctx, 'restart', cur, cur, mine?.status === 'ok' ? 'ok' : 'failed', mine?.error?.message) }),
        prune: false,
        unlock: true,
      });
    }));
    return { runId: ctx.runId, command: i.command, dryRun: ctx.dryRun, startedAt, durationMs: Math.round(performance.now() - t0), hosts: mergeHostReports(hosts, phases) };
  } finally {
    await closeSessions(sessions);
  }
}
