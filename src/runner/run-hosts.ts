import { humanBytes } from './plan.js';
import type { Host } from '../inventory/types.js';
import type { SshTarget } from '../ssh/target.js';
import type { EarlyConnections } from '../ssh/early-connections.js';
import { FerryError } from '../errors/ferry-error.js';
import { RemoteCommandError } from '../errors/remote-error.js';
import { ConnectionError } from '../errors/connection-error.js';
import { HostLog } from './host-log.js';
import { checkFdLimit } from './fd-limit.js';
import { HostSession } from './host-session.js';
import { runWithProgress, type HostUi } from './progress.js';
import type { HostReport, HostStatus } from './report.js';

export interface RunHostsOptions {
  readonly hosts: readonly Host[];
  readonly targets: ReadonlyMap<string, SshTarget>;
  readonly parallel: number;
  readonly failFast: boolean;
  readonly logDir?: string | undefined;
  readonly sudoPassword?: string | undefined;
  readonly tty: boolean;
  readonly toStderr: boolean;
  readonly silent?: boolean;
  /** sessions opened by the caller and shared across phases: reused, not closed here */
  readonly sessions?: ReadonlyMap<string, HostSession>;
  /** printed before the host lines (one group per phase) */
  readonly phase?: string;
  /** connections the command started opening early (see ssh/early-connections.ts) */
  readonly early?: EarlyConnections | undefined;
  /** --dry-run: a host ends as `planned`, never `done` */
  readonly dryRun?: boolean;
  /** Ctrl-C: running commands are signalled and closed, hosts not started are skipped */
  readonly signal?: AbortSignal | undefined;
}

export type HostWork = (session: HostSession, ui: HostUi) => Promise<unknown>;

/** A host's session for a run: the one place a HostSession is made (its log, sudo, early connection). */
export function openSession(
  host: Host,
  o: Pick<RunHostsOptions, 'targets' | 'logDir' | 'sudoPassword' | 'early' | 'signal'>,
): HostSession {
  const target = o.targets.get(host.name);
  if (!target) throw new Error(`no SSH target for ${host.name}`);
  return new HostSession(host, target, new HostLog(o.logDir, host.name), o.sudoPassword, o.early, o.signal);
}

function statusOf(err: unknown): HostStatus {
  if (err instanceof FerryError && err.kind === 'interrupted') return 'interrupted';
  return err instanceof FerryError && (err.kind === 'connection' || err.kind === 'host-key') ? 'unreachable' : 'failed';
}

function jsonSafe(v: unknown): unknown {
  try {
    return v === undefined ? undefined : JSON.parse(JSON.stringify(v));
  } catch {
    return undefined;
  }
}

/** Run `work` once per host with a concurrency cap; one host failing never stops the others (unless failFast). */
export async function runOnHosts(o: RunHostsOptions, work: HostWork): Promise<HostReport[]> {
  // sessions of our own open -j at a time (shared ones were counted where they were made)
  if (!o.sessions) checkFdLimit(Math.min(o.parallel, o.hosts.length), 'parallel');
  const reports = new Map<string, HostReport>();
  let stop = false;
  const jobs = o.hosts.map((host) => ({
    name: host.name,
    run: async (ui: HostUi) => {
      const started = performance.now();
      if (stop || o.signal?.aborted) {
        reports.set(host.name, {
          host: host.name,
          status: 'skipped',
          durationMs: 0,
          channels: 0,
          steps: [],
          changes: 0,
        });
        ui.skip(o.signal?.aborted ? 'skipped (interrupted)' : 'skipped (--fail-fast)');
        return;
      }
      const shared = o.sessions?.get(host.name);
      const session = shared ?? openSession(host, o);
      const stepsBefore = session.steps.length;
      let failure: unknown;
      let result: unknown;
      try {
        result = await work(session, ui);
      } catch (err) {
        failure = err;
        session.log.line(`FAILED: ${(err as Error).message}`);
      }
      const retries = failure instanceof ConnectionError ? failure.retries : await session.connectRetries();
      const report: HostReport = {
        host: host.name,
        status: failure === undefined ? 'ok' : statusOf(failure),
        durationMs: Math.round(performance.now() - started),
        channels: await session.channels(),
        ...(retries ? { connectRetries: retries } : {}),
        steps: o.phase
          ? session.steps.slice(stepsBefore).map((s) => ({ ...s, phase: o.phase }))
          : session.steps.slice(stepsBefore),
        changes: session.steps.slice(stepsBefore).filter((s) => s.status === 'changed').length,
        ...(result !== undefined ? { result: jsonSafe(result) } : {}),
        ...(failure !== undefined
          ? {
              error: {
                kind: failure instanceof FerryError ? failure.kind : 'error',
                message: (failure as Error).message,
              },
              exitCode: failure instanceof RemoteCommandError ? failure.exitCode : null,
            }
          : {}),
      };
      reports.set(host.name, report);
      if (!shared) await session.close();
      if (failure !== undefined) {
        if (o.failFast) stop = true;
        throw failure;
      }
      if (o.dryRun) ui.title(`planned, nothing changed`);
      else ui.title(doneTitle(report.changes, result));
    },
  }));
  if (o.hosts.length === 0) return [];
  if (o.phase && !o.silent) (o.toStderr ? process.stderr : process.stdout).write(`== ${o.phase} ==\n`);
  await runWithProgress(jobs, {
    tty: o.tty,
    toStderr: o.toStderr,
    concurrency: Math.max(1, o.parallel),
    silent: o.silent ?? false,
  });
  return o.hosts.map(
    (h) =>
      reports.get(h.name) ?? { host: h.name, status: 'skipped', durationMs: 0, channels: 0, steps: [], changes: 0 },
  );
}

/** A host's last line: `done`, with what changed and what a deploy's staging uploaded (HostPlan). */
function doneTitle(changes: number, result: unknown): string {
  const sent = (result as { uploadedBytes?: unknown } | undefined)?.uploadedBytes;
  const notes = [
    ...(changes ? [`${changes} changed`] : []),
    ...(typeof sent === 'number' && sent > 0 ? [`${humanBytes(sent)} uploaded`] : []),
  ];
  return notes.length ? `done (${notes.join(', ')})` : 'done';
}
