import type { Host } from '../inventory/types.js';
import type { HostReport, RunReport } from '../runner/report.js';
import { runOnHosts, type RunHostsOptions } from '../runner/run-hosts.js';
import { mergeHostReports } from '../runner/merge-reports.js';
import type { HostSession } from '../runner/host-session.js';
import type { DeployContext } from './deploy-context.js';
import { closeSessions, openSessions } from './sessions.js';
import { stageHost, type StageResult } from './stage-host.js';
import { activateHost } from './activate-host.js';
import { finishHost } from './finish-host.js';
import { historyEntry } from './history-entry.js';

export interface DeployInput {
  readonly ctx: DeployContext;
  readonly hosts: readonly Host[];
  readonly run: RunHostsOptions;
  readonly command: string;
  /**
   * How to activate the staged hosts. Default: every host at once (bounded by -j).
   * The rolling layer passes its batch-by-batch activation here.
   */
  readonly activate?: ActivateAll;
}

export type ActivateAll = (a: {
  ctx: DeployContext;
  hosts: readonly Host[];
  sessions: ReadonlyMap<string, HostSession>;
  run: RunHostsOptions;
  /** the release each host must end on */
  targetOf: (host: string) => string;
  /** the release each host was on before (from the probe) */
  currentOf: (host: string) => string | undefined;
  /** the host already runs the target with these configs: nothing to activate */
  upToDate: (host: string) => boolean;
  /** this host's config set for the target (deploy only) */
  configOf: (host: string) => string | undefined;
}) => Promise<HostReport[][]>;

/** Default activation: all hosts at once; a host already on the release is left alone. */
export const activateAllAtOnce: ActivateAll = async ({ ctx, hosts, sessions, run, targetOf, upToDate, configOf }) => [
  await runOnHosts({ ...run, hosts, sessions, phase: 'activate' }, async (s, ui) => {
    const id = targetOf(s.host.name);
    if (upToDate(s.host.name)) {
      ui.title(`already on ${id}`);
      return { activated: false };
    }
    await activateHost(s, ctx, id, ui.title, configOf(s.host.name));
    return { activated: true };
  }),
];

/**
 * Two phases (DESIGN.md): stage on every host in parallel, nothing switched; only when every host
 * staged, activate. Locks are released and history written on every host we locked, whatever happens.
 */
export async function deploy(i: DeployInput): Promise<RunReport> {
  const { ctx, hosts } = i;
  const bundle = ctx.bundle;
  if (!bundle) throw new Error('deploy needs a built bundle');
  const startedAt = new Date();
  const t0 = performance.now();
  const sessions = openSessions(hosts, i.run);
  const staged = new Map<string, StageResult>();
  /** every host whose lock this run took (with what it ran then), even if staging then failed there */
  const locked = new Map<string, string | undefined>();
  const phases: HostReport[][] = [];
  try {
    const stage = await runOnHosts({ ...i.run, sessions, phase: `stage ${bundle.id}` }, async (s, ui) => {
      const r = await stageHost(s, ctx, ui.title, (p) => locked.set(s.host.name, p.current));
      staged.set(s.host.name, r);
      return { uploadedBytes: r.uploadedBytes, staged: r.staged, from: r.probe.current ?? null };
    });
    phases.push(stage);
    const failedStage = stage.filter((r) => r.status !== 'ok').map((r) => r.host);
    let activation: HostReport[][] = [];
    if (failedStage.length === 0) {
      activation = await (i.activate ?? activateAllAtOnce)({
        ctx, hosts, sessions, run: i.run, targetOf: () => bundle.id, currentOf: (h) => staged.get(h)?.probe.current,
        upToDate: (h) => staged.get(h)?.upToDate ?? false, configOf: (h) => staged.get(h)?.configHash,
      });
      phases.push(...activation);
    }
    const merged = mergeHostReports(hosts, phases);
    const failedAny = merged.filter((r) => r.status !== 'ok').map((r) => r.host);
    // finish: history + prune + unlock on every host whose lock we took
    const finish = await runOnHosts({ ...i.run, sessions, phase: 'finish', hosts: hosts.filter((h) => locked.has(h.name)) }, async (s) => {
      const from = locked.get(s.host.name);
      const mine = merged.find((r) => r.host === s.host.name);
      const activated = activation.some((p) => p.some((r) => r.host === s.host.name && r.status === 'ok'));
      const result = failedStage.length ? 'failed' : mine?.status === 'ok' ? (activated ? 'ok' : 'staged-only') : 'failed';
      const why = failedStage.length
        ? `staging failed on ${failedStage.join(', ')}: nothing switched`
        : mine?.status === 'ok' ? undefined : mine?.error?.message;
      await finishHost(s, ctx, {
        history: historyEntry(ctx, 'deploy', from, result === 'ok' ? bundle.id : from, result, why),
        // a new release staged here: keep `keep` of them (an unchanged redeploy has nothing to prune)
        prune: result === 'ok' && failedAny.length === 0 && (staged.get(s.host.name)?.staged ?? false),
        unlock: true,
      });
    });
    phases.push(finish);
    return { runId: ctx.runId, command: i.command, dryRun: ctx.dryRun, startedAt: startedAt.toISOString(), durationMs: Math.round(performance.now() - t0), hosts: mergeHostReports(hosts, phases) };
  } finally {
    await closeSessions(sessions);
  }
}
