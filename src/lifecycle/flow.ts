import type { Host } from '../inventory/types.js';
import { phasesOf, type HostReport, type RunReport } from '../runner/report.js';
import { runOnHosts, type RunHostsOptions } from '../runner/run-hosts.js';
import { mergeHostReports } from '../runner/merge-reports.js';
import type { HostSession } from '../runner/host-session.js';
import type { HostUi } from '../runner/progress.js';
import type { HistoryEntry } from '../ops/release/history.js';
import type { ProbeResult } from '../ops/release/probe.js';
import type { DeployContext } from './deploy-context.js';
import { closeSessions, openSessions } from './sessions.js';
import { takeLockAndProbe } from './take-lock.js';
import { finishHost } from './finish-host.js';
import { withOutcome } from './history-entry.js';
import type { LifecycleNotifier } from '../notify/hook.js';

/** What one host is to become: the single value every phase after the lock reads. */
export interface HostPlan {
  /** the release `current` pointed to when the lock was taken */
  readonly from: string | undefined;
  /** the release the host must end on (a restart: the one it runs) */
  readonly to: string | undefined;
  /** this host's config set for `to` (deploy only: releases/<id>/configs/<hash>) */
  readonly configHash?: string | undefined;
  /** the host's `previous` link when the lock was taken: a revert of `to` restores it (deploy only) */
  readonly before?: { readonly previous: string | undefined } | undefined;
  /** already on `to` with these configs: nothing to activate */
  readonly upToDate: boolean;
  /** a new release or config set was staged here (a deploy prunes old releases only then) */
  readonly staged?: boolean;
  readonly uploadedBytes?: number;
}

/** What the probe looks for besides the lock (see ops/release/probe.ts). */
export interface ProbeWant {
  readonly id: string;
  readonly sha256?: string | undefined;
  readonly configHash?: string | undefined;
  /** a deploy's no-op: recorded instead of taking the lock when the host already runs id + configs */
  readonly unchangedHistory?: string | undefined;
}

/** The first job on a host: take the lock with the probe (through `lock`), then plan the host. */
export interface StartHost {
  readonly session: HostSession;
  readonly ui: HostUi;
  lock(want: ProbeWant): Promise<ProbeResult>;
}

/** What a phase after the start sees: the plan of every host that started cleanly. */
export interface PhaseRun {
  readonly ctx: DeployContext;
  readonly hosts: readonly Host[];
  readonly sessions: ReadonlyMap<string, HostSession>;
  readonly run: RunHostsOptions;
  readonly plans: ReadonlyMap<string, HostPlan>;
}

export interface Phase {
  readonly name: string;
  run(p: PhaseRun): Promise<HostReport[][]>;
}

/** How a locked host ended, for its history line. */
export interface HostEnd {
  readonly host: string;
  /** absent when the host failed before it was planned */
  readonly plan: HostPlan | undefined;
  /** `current` when the lock was taken */
  readonly from: string | undefined;
  /** the host's report across every phase */
  readonly report: HostReport;
  /** hosts whose start failed (then no phase ran anywhere) */
  readonly startFailed: readonly string[];
  /** some host failed somewhere */
  readonly anyFailed: boolean;
}

/**
 * A deploy, rollback or restart as named steps on one flow (Deployer's recipes): the start job on
 * every host under the lock, then the phases in order, then the end of each locked host.
 */
export interface Recipe {
  /** the lifecycle's own actions (lb and maintenance history lines are written outside it) */
  readonly action: Extract<HistoryEntry['action'], 'deploy' | 'rollback' | 'restart'>;
  readonly start: { readonly phase: string; run(h: StartHost): Promise<HostPlan> };
  /** run only once every host started cleanly; the first phase that leaves a host failed ends the list */
  readonly phases: readonly Phase[];
  end(h: HostEnd): { readonly history?: HistoryEntry | undefined; readonly prune: boolean };
}

export interface LifecycleInput {
  readonly ctx: DeployContext;
  readonly hosts: readonly Host[];
  readonly run: RunHostsOptions;
  readonly command: string;
  /** Graphite / webhooks at start and end (src/notify): bounded, never fails the run */
  readonly notify?: LifecycleNotifier | undefined;
}

const bad = (r: HostReport) => r.status === 'failed' || r.status === 'unreachable';

/**
 * open → lock + probe (and the recipe's start) → phases → finish. Every host whose lock this run
 * took gets its history line and its lock released, whatever happened; sessions always close.
 */
export async function runLifecycle(i: LifecycleInput, recipe: Recipe): Promise<RunReport> {
  const { ctx, hosts } = i;
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const sessions = openSessions(hosts, i.run);
  /** `current` on every host whose lock this run took, even if its start then failed */
  const locked = new Map<string, string | undefined>();
  const plans = new Map<string, HostPlan>();
  const phases: HostReport[][] = [];
  const notified = i.notify?.start({ action: recipe.action, ctx, hosts });
  let report: RunReport | undefined;
  try {
    const start = await runOnHosts({ ...i.run, sessions, phase: recipe.start.phase }, async (session, ui) => {
      const lock = async (want: ProbeWant) => {
        const p = await takeLockAndProbe(
          session,
          ctx,
          want.id,
          want.sha256,
          ui.title,
          want.configHash,
          want.unchangedHistory,
        );
        if (p.lock === 'acquired') locked.set(session.host.name, p.current);
        return p;
      };
      const plan = await recipe.start.run({ session, ui, lock });
      plans.set(session.host.name, plan);
      return {
        from: plan.from ?? null,
        to: plan.to ?? null,
        ...(plan.uploadedBytes !== undefined ? { uploadedBytes: plan.uploadedBytes, staged: plan.staged } : {}),
      };
    });
    phases.push(start);
    const startFailed = start.filter((r) => r.status !== 'ok').map((r) => r.host);
    if (startFailed.length === 0) {
      for (const phase of recipe.phases) {
        const reports = await phase.run({ ctx, hosts, sessions, run: i.run, plans });
        phases.push(...reports);
        if (reports.flat().some(bad)) break;
      }
    }
    const merged = mergeHostReports(hosts, phases);
    const anyFailed = merged.some(bad);
    const finish = await runOnHosts(
      { ...i.run, sessions, phase: 'finish', hosts: hosts.filter((h) => locked.has(h.name)) },
      async (s) => {
        const report = merged.find((r) => r.host === s.host.name);
        if (!report) return;
        const end = recipe.end({
          host: s.host.name,
          plan: plans.get(s.host.name),
          from: locked.get(s.host.name),
          report,
          startFailed,
          anyFailed,
        });
        const history = end.history && withOutcome(end.history, report, performance.now() - t0);
        await finishHost(s, ctx, { history, prune: end.prune, unlock: true });
      },
    );
    phases.push(finish);
    report = {
      runId: ctx.runId,
      command: i.command,
      dryRun: ctx.dryRun,
      startedAt,
      durationMs: Math.round(performance.now() - t0),
      hosts: mergeHostReports(hosts, phases),
      phases: phasesOf(phases),
    };
  } finally {
    const [, notify] = await Promise.all([closeSessions(sessions), notified?.end({ report, plans })]);
    if (report && notify?.length) report = { ...report, notify };
  }
  return report;
}
