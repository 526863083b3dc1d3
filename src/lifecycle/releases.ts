import { describeOwner, unlockCommand } from '../ops/release/lock.js';
import { releasesFact, type HostReleases, type ReleasesRow } from '../ops/release/list.js';
import { historyFact, type HistoryEntry } from '../ops/release/history.js';
import type { HistoryRow } from '../ops/release/history-table.js';
import type { RunReport } from '../runner/report.js';
import { runOnHosts, type RunHostsOptions } from '../runner/run-hosts.js';
import type { DeployContext } from './deploy-context.js';

export interface StoreInput {
  readonly ctx: DeployContext;
  readonly run: RunHostsOptions;
  readonly command: string;
}

function report(i: StoreInput, startedAt: string, dryRun: boolean, hosts: RunReport['hosts']): RunReport {
  return { runId: i.ctx.runId, command: i.command, dryRun, startedAt, durationMs: 0, hosts };
}

/** `ferry releases`: read every host's release store (read-only, no progress lines); one row per host. */
export async function listReleases(i: StoreInput): Promise<{ report: RunReport; rows: ReleasesRow[] }> {
  const fact = releasesFact(i.ctx.paths);
  const found = new Map<string, HostReleases>();
  const hosts = await runOnHosts({ ...i.run, silent: true }, async (s) => {
    const r = fact.parse((await s.exec(fact.command, { title: 'list releases', id: 'releases' })).stdout);
    found.set(s.host.name, r);
    return r;
  });
  const rows = hosts.map((h) => ({ host: h.host, releases: found.get(h.host), error: h.error?.message }));
  return { report: report(i, new Date().toISOString(), false, hosts), rows };
}

/** `ferry history`: every host's history.jsonl (its last `last` lines), read-only, no progress lines. */
export async function readHistory(i: StoreInput & { readonly last?: number }): Promise<{
  report: RunReport;
  rows: HistoryRow[];
}> {
  const fact = historyFact(i.ctx.paths, i.last);
  const found = new Map<string, HistoryEntry[]>();
  const hosts = await runOnHosts({ ...i.run, silent: true }, async (s) => {
    const entries = fact.parse((await s.exec(fact.command, { title: 'read history', id: 'history' })).stdout);
    found.set(s.host.name, entries);
    return { entries };
  });
  const rows = hosts.map((h) => ({ host: h.host, entries: found.get(h.host), error: h.error?.message }));
  return { report: report(i, new Date().toISOString(), false, hosts), rows };
}

/** `ferry unlock`: show each host's lock owner, then remove the lock (only planned in --dry-run). */
export async function unlockHosts(i: StoreInput): Promise<RunReport> {
  const { paths, dryRun } = i.ctx;
  const fact = releasesFact(paths, 0);
  const startedAt = new Date().toISOString();
  const hosts = await runOnHosts(i.run, async (s, ui) => {
    const r = fact.parse((await s.exec(fact.command, { title: 'read lock', id: 'read-lock' })).stdout);
    if (!r.lock) {
      ui.log('no lock held');
      return { removed: false };
    }
    ui.log(`lock held by ${describeOwner(r.lock)}`);
    if (dryRun) s.plan('unlock', 'remove lock', unlockCommand(paths));
    else await s.exec(unlockCommand(paths), { title: 'remove lock', id: 'unlock', status: 'changed' });
    return { removed: !dryRun, owner: r.lock };
  });
  return report(i, startedAt, dryRun, hosts);
}
