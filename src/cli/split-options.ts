import { Option, type Command as Program } from 'commander';
import { UsageError } from '../errors/usage-error.js';
import type { Shard } from '../inventory/shard.js';
import type { Host } from '../inventory/types.js';
import type { SplitPhase } from '../lifecycle/split-phase.js';
import { checkStageRecords, readStageRecords, stageRecord, type LoadedRecord } from '../lifecycle/stage-record.js';
import type { RunReport } from '../runner/report.js';
import type { RunEnv } from './run-env.js';

export interface SplitFlags {
  phase?: 'stage' | 'activate';
  staged?: string[];
}

const repeat = (v: string, prev: string[] | undefined) => [...(prev ?? []), v];

/** --phase / --staged: a deploy split across CI jobs (README "Sharded deploys from CI"). */
export function addSplitOptions(p: Program): Program {
  return p
    .addOption(
      new Option(
        '--phase <phase>',
        'stage only (writes a stage record with --json), or activate what was staged',
      ).choices(['stage', 'activate']),
    )
    .option(
      '--staged <files>',
      "with --phase activate: every shard's stage record (repeatable; 'stage-*.json')",
      repeat,
    );
}

/** The whole run is one shard of one unless --shard says otherwise. */
const shardOf = (env: RunEnv): Shard => env.opts.shard ?? { index: 1, count: 1 };

/** Read the records early (before any connection): a missing or foreign file is a usage error at once. */
export async function stageRecordsOf(f: SplitFlags): Promise<LoadedRecord[] | undefined> {
  if (f.staged && f.phase !== 'activate') throw new UsageError('--staged goes with --phase activate');
  if (f.phase !== 'activate') return undefined;
  if (!f.staged?.length) throw new UsageError('--phase activate needs --staged FILES (the records of every shard)');
  return readStageRecords(f.staged, process.cwd());
}

/** The split phase for the deploy recipe, once the bundle is built and this shard's hosts selected. */
export async function splitPhase(
  env: RunEnv,
  f: SplitFlags,
  records: readonly LoadedRecord[] | undefined,
  c: { readonly id: string; readonly roles: readonly string[]; readonly mine: readonly Host[] },
): Promise<SplitPhase | undefined> {
  const shard = shardOf(env);
  if (f.phase === 'stage') return { phase: 'stage', shard, plans: new Map() };
  if (f.phase !== 'activate') return undefined;
  const selected = (await env.select({ roles: c.roles }, { whole: true })).map((h) => h.name);
  const staged = checkStageRecords(records ?? [], {
    id: c.id,
    shard,
    selected,
    mine: c.mine.map((h) => h.name),
    some: Boolean(env.opts.onlyFailed),
  });
  return { phase: 'activate', shard, staged };
}

/** A stage run's --json report carries its stage record (what the activate job reads). */
export function withStageRecord(
  report: RunReport,
  split: SplitPhase | undefined,
  b: { readonly name: string; readonly id: string; readonly sha256: string },
): RunReport {
  if (split?.phase !== 'stage') return report;
  return { ...report, stageRecord: stageRecord(b, split.shard, report.dryRun, report.hosts, split.plans) } as RunReport;
}
