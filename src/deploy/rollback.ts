import type { Host } from '../inventory/types.js';
import type { HostReport, RunReport } from '../runner/report.js';
import { runOnHosts, type RunHostsOptions } from '../runner/run-hosts.js';
import { mergeHostReports } from '../runner/merge-reports.js';
import { FailedError } from '../errors/failed-error.js';
import type { ProbeResult } from '../ops/release/probe.js';
import type { DeployContext } from './deploy-context.js';
import { closeSessions, openSessions } from './sessions.js';
import { takeLockAndProbe } from './take-lock.js';
import { finishHost } from './finish-host.js';
import { historyEntry } from './history-entry.js';
import { activateAllAtOnce, type ActivateAll } from './deploy.js';

export interface RollbackInput {
  readonly ctx: DeployContext;
  readonly hosts: readonly Host[];
  readonly run: RunHostsOptions;
  readonly command: string;
  /** a named release; default: each host's `previous` */
  readonly to?: string | undefined;
  readonly activate?: ActivateAll;
}

/**
 * Back to the previous (or named) release on every selected host — through the same activation path
 * as a deploy. Refused (exit 1, nothing switched) when any host lacks the release.
 */
export async function rollback(i: RollbackInput): Promise<RunReport> {
  const { ctx, hosts } = i;
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  const sessions = openSessions(hosts, i.run);
  const probes = new Map<string, ProbeResult>();
  const targets = new Map<string, string>();
  const phases: HostReport[][] = [];
  try {
    phases.push(
      await runOnHosts({ ...i.run, sessions, phase: 'check' }, async (s, ui) => {
        const p = await takeLockAndProbe(s, ctx, i.to ?? 'none', undefined, ui.title);
        probes.set(s.host.name, p);
        const target = i.to ?? p.previous;
        if (!target) throw new FailedError(`[${s.host.name}] no previous release to roll back to (current: ${p.current ?? 'none'})`, s.host.name);
        if (!p.releases.includes(target)) throw new FailedError(`[${s.host.name}] release ${target} is not on this host (it has: ${p.releases.join(', ') || 'none'})`, s.host.name);
        targets.set(s.host.name, target);
        return { from: p.current ?? null, to: target };
      }),
    );
    const ok = phases[0]?.every((r) => r.status === 'ok') ?? false;
    if (ok) {
      phases.push(
        ...(await (i.activate ?? activateAllAtOnce)({
          ctx, hosts, sessions, run: i.run, targetOf: (h) => targets.get(h) ?? '', currentOf: (h) => probes.get(h)?.current,
          upToDate: (h) => probes.get(h)?.current === targets.get(h), configOf: () => undefined,
        })),
      );
    }
    const merged = mergeHostReports(hosts, phases);
    phases.push(
      await runOnHosts({ ...i.run, sessions, phase: 'finish', hosts: hosts.filter((h) => probes.get(h.name)?.lock === 'acquired') }, async (s) => {
        const mine = merged.find((r) => r.host === s.host.name);
        const from = probes.get(s.host.name)?.current;
        const good = ok && mine?.status === 'ok';
        await finishHost(s, ctx, {
          history: historyEntry(ctx, 'rollback', from, good ? targets.get(s.host.name) : from, good ? 'ok' : 'failed', good ? undefined : mine?.error?.message ?? 'rollback refused: a host lacks the release'),
          prune: false,
          unlock: true,
        });
      }),
    );
    return { runId: ctx.runId, command: i.command, dryRun: ctx.dryRun, startedAt, durationMs: Math.round(performance.now() - t0), hosts: mergeHostReports(hosts, phases) };
  } finally {
    await closeSessions(sessions);
  }
}
