import { buildHistoryEntry, type HistoryEntry } from '../ops/release/history.js';
import { finishCommand } from '../ops/release/finish.js';
import { saveServerStateCommand } from '../ops/haproxy/config.js';
import {
  parseSetReply,
  parseShowStat,
  runtimePayload,
  runtimeReplyComplete,
  showStat,
} from '../ops/haproxy/runtime.js';
import type { AdminState, StatRow } from '../ops/haproxy/runtime.js';
import { setMaintenance, type MaintenanceMode } from '../ops/haproxy/maintenance.js';
import { haproxyPaths } from '../ops/services.js';
import { LoadBalancers } from '../rolling/load-balancers.js';
import { inRotation } from '../rolling/roll-host.js';
import type { HostReport, RunReport } from '../runner/report.js';
import type { HostSession } from '../runner/host-session.js';
import { runOnHosts, type RunHostsOptions } from '../runner/run-hosts.js';
import { withOptions } from '../shell/command.js';
import type { DeployContext } from './deploy-context.js';

/** `ferry lb …` and `ferry maintenance …`: work on the bundle's LB hosts (run.hosts), through their sessions. */
export interface LbInput {
  readonly ctx: DeployContext;
  readonly run: RunHostsOptions;
  readonly command: string;
}

const whole = (b: Buffer) => runtimeReplyComplete(b.toString('latin1'), 1);

function report(i: LbInput, startedAt: string, t0: number, hosts: readonly HostReport[]): RunReport {
  const durationMs = Math.round(performance.now() - t0);
  return { runId: i.ctx.runId, command: i.command, dryRun: i.ctx.dryRun, startedAt, durationMs, hosts };
}

const socketOf = (i: LbInput, s: HostSession) => haproxyPaths(i.ctx.definition, s.host).socket;

/** `show stat` (every proxy) on each LB: read-only, so it runs in --dry-run too. */
export async function readLbStats(
  i: LbInput,
  silent = true,
): Promise<{ report: RunReport; rows: Map<string, StatRow[]> }> {
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const found = new Map<string, StatRow[]>();
  const hosts = await runOnHosts({ ...i.run, silent, phase: 'haproxy show stat' }, async (s) => {
    const line = showStat();
    const text = await s.request(socketOf(i, s), runtimePayload(line), {
      title: `haproxy on ${s.host.name}: ${line}`,
      id: 'haproxy-stat',
      kind: 'haproxy',
      complete: whole,
    });
    found.set(s.host.name, parseShowStat(text, s.host.name));
  });
  // in inventory order, whichever LB answered first
  const rows = new Map<string, StatRow[]>();
  for (const h of i.run.hosts) {
    const r = found.get(h.name);
    if (r) rows.set(h.name, r);
  }
  return { report: report(i, startedAt, t0, hosts), rows };
}

/** The history line of an lb/maintenance change on one LB, appended whatever the outcome (planned in --dry-run). */
async function recordChange(
  i: LbInput,
  s: HostSession,
  action: HistoryEntry['action'],
  change: string,
  error: unknown,
): Promise<void> {
  const d = i.ctx;
  const run = { user: d.owner.user, controlHost: d.owner.host, runId: d.runId, label: d.label, stage: d.stage };
  const message = error === undefined ? undefined : (error as Error).message;
  const history = buildHistoryEntry(run, {
    action,
    from: undefined,
    to: undefined,
    result: error === undefined ? 'ok' : 'failed',
    error: message,
    change,
  });
  const c = finishCommand({ paths: d.paths, history, unlock: false });
  if (d.dryRun) s.plan('history', 'history line', c);
  else await s.exec(c, { title: 'history line', id: 'history' }).catch(() => undefined);
}

/** Run `f` on each LB, then its history line (the change failed or not). */
function onEachLb(
  i: LbInput,
  phase: string,
  action: HistoryEntry['action'],
  change: string,
  f: (s: HostSession, title: (t: string) => void) => Promise<unknown>,
): Promise<HostReport[]> {
  return runOnHosts({ ...i.run, phase }, async (s, ui) => {
    let failure: unknown;
    try {
      return await f(s, ui.title);
    } catch (err) {
      failure = err;
      throw err;
    } finally {
      await recordChange(i, s, action, change, failure);
    }
  });
}

export interface SetStateInput {
  readonly backend: string;
  readonly servers: readonly string[];
  readonly state: AdminState;
  /** drain: wait for sessions to reach 0; ready: wait for UP; undefined: do not wait */
  readonly waitMs?: number | undefined;
}

/** `ferry lb drain|ready|maint HOST…`: the state on every LB, then (drain/ready) the wait for its effect. */
export async function setLbState(i: LbInput, o: SetStateInput): Promise<RunReport> {
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const change = `${o.state} ${o.servers.map((h) => `${o.backend}/${h}`).join(' ')}`;
  const hosts = await onEachLb(i, `haproxy: ${change}`, 'lb', change, async (s, title) => {
    const lbs = new LoadBalancers([{ session: s, socket: socketOf(i, s) }], o.backend);
    const wait = o.waitMs !== undefined && o.state !== 'maint' ? o.waitMs : undefined;
    const what = o.state === 'drain' ? 'current sessions reach 0' : 'haproxy reports UP';
    if (i.ctx.dryRun) {
      for (const h of o.servers) lbs.plan(h, o.state);
      if (wait !== undefined) s.planNote('lb-wait', `wait until ${what} for ${o.servers.join(', ')} (≤ ${wait} ms)`);
      return;
    }
    for (const h of o.servers) {
      title(`set server ${o.backend}/${h} state ${o.state}`);
      await lbs.setState(h, o.state);
    }
    if (wait === undefined) return;
    title(`waiting until ${what}`);
    const t = Date.now();
    const ok = o.state === 'drain' ? (r: StatRow) => r.scur === 0 : inRotation;
    await Promise.all(o.servers.map((h) => lbs.waitFor(h, o.state === 'drain' ? 'drain' : 'server UP', ok, wait)));
    s.event('lb-wait', `${what}: ${o.servers.join(', ')}`, true, Date.now() - t);
  });
  return report(i, startedAt, t0, hosts);
}

/**
 * `ferry maintenance on|off`: flip the switch on every LB over the runtime API (no reload), then
 * save `show servers state` into the server-state file so a later reload or restart keeps it.
 */
export async function setMaintenanceMode(i: LbInput, backend: string, mode: MaintenanceMode): Promise<RunReport> {
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const hosts = await onEachLb(
    i,
    `maintenance ${mode}: ${backend}`,
    'maintenance',
    `${mode} ${backend}`,
    async (s, title) => {
      const paths = haproxyPaths(i.ctx.definition, s.host);
      const line = setMaintenance(backend, mode);
      const save = withOptions(saveServerStateCommand(paths), { asRoot: true });
      const step = { title: `haproxy on ${s.host.name}: ${line}`, id: `maintenance-${mode}`, kind: 'haproxy' };
      if (i.ctx.dryRun) {
        s.planRequest(paths.socket, runtimePayload(line), step);
        s.plan('save-state', 'save server states', save);
        return;
      }
      title(`maintenance page ${mode}`);
      const refusal = (reply: string) => {
        const r = parseSetReply(reply);
        return r.ok ? undefined : `haproxy refused "${line}": ${r.message}`;
      };
      await s.request(paths.socket, runtimePayload(line), { ...step, complete: whole, status: 'changed', refusal });
      title('saving server states');
      await s.exec(save, { title: 'save server states (kept across reloads)', id: 'save-state', status: 'changed' });
    },
  );
  return report(i, startedAt, t0, hosts);
}
