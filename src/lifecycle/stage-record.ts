import { readFile, readdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors/usage-error.js';
import { shardLabel, type Shard } from '../inventory/shard.js';
import type { HostReport } from '../runner/report.js';
import type { HostPlan } from './flow.js';

/** One host of a stage record: what `--phase activate` expects to find there. */
export interface StagedHost {
  readonly host: string;
  /** the release staged (the bundle id) */
  readonly id: string;
  readonly sha256: string;
  /** this host's config set: releases/<id>/configs/<hash> */
  readonly configHash: string;
}

/** What `deploy --phase stage` writes into its --json report (key `stageRecord`). */
export interface StageRecord {
  readonly version: 1;
  readonly bundle: string;
  readonly id: string;
  readonly sha256: string;
  readonly shard: Shard;
  readonly dryRun: boolean;
  /** every host this run selected staged cleanly (with --only-failed: the rerun's hosts, not the whole shard) */
  readonly complete: boolean;
  /** hosts of the shard that did not stage (then `complete` is false) */
  readonly failed: readonly string[];
  readonly hosts: readonly StagedHost[];
}

export function stageRecord(
  b: { readonly name: string; readonly id: string; readonly sha256: string },
  shard: Shard,
  dryRun: boolean,
  reports: readonly HostReport[],
  plans: ReadonlyMap<string, HostPlan>,
): StageRecord {
  const failed = reports.filter((r) => r.status !== 'ok' || !plans.get(r.host)?.configHash).map((r) => r.host);
  const hosts = reports.flatMap((r) => {
    const hash = plans.get(r.host)?.configHash;
    return r.status === 'ok' && hash ? [{ host: r.host, id: b.id, sha256: b.sha256, configHash: hash }] : [];
  });
  return {
    version: 1,
    bundle: b.name,
    id: b.id,
    sha256: b.sha256,
    shard,
    dryRun,
    complete: !failed.length,
    failed,
    hosts,
  };
}

const globRe = (pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '[^/]*')
      .replace(/\?/g, '[^/]')}$`,
  );

/** Files named by `--staged`: plain paths, or a `*`/`?` pattern in the file name (quoted, so ferry expands it). */
async function stagedFiles(patterns: readonly string[], cwd: string): Promise<string[]> {
  const files = new Set<string>();
  for (const p of patterns) {
    const full = resolve(cwd, p);
    const name = basename(full);
    if (!/[*?]/.test(name)) {
      files.add(full);
      continue;
    }
    const dir = dirname(full);
    const entries = await readdir(dir).catch(() => [] as string[]);
    const re = globRe(name);
    const hits = entries.filter((e) => re.test(e)).sort();
    if (!hits.length) throw new UsageError(`--staged ${p}: no file matches (looked in ${dir})`);
    for (const e of hits) files.add(join(dir, e));
  }
  return [...files];
}

export interface LoadedRecord {
  readonly file: string;
  readonly rec: StageRecord;
}

/** Read every --staged file (its stage record); unreadable or foreign files are usage errors. */
export async function readStageRecords(patterns: readonly string[], cwd: string): Promise<LoadedRecord[]> {
  const files = await stagedFiles(patterns, cwd);
  return Promise.all(files.map(async (file) => ({ file, rec: await readRecord(file) })));
}

async function readRecord(file: string): Promise<StageRecord> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--staged ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  let rec: unknown;
  try {
    rec = (JSON.parse(text) as { stageRecord?: unknown }).stageRecord;
  } catch {
    throw new UsageError(`--staged ${file}: not JSON (expected the --json report of \`ferry deploy --phase stage\`)`);
  }
  const r = rec as Partial<StageRecord> | undefined;
  if (r?.version !== 1 || !r.shard || !Array.isArray(r.hosts) || !Array.isArray(r.failed) || typeof r.id !== 'string')
    throw new UsageError(`--staged ${file}: holds no stage record (write one with \`deploy --phase stage --json\`)`);
  return r as StageRecord;
}

export interface ActivationCheck {
  readonly id: string;
  readonly shard: Shard;
  /** host names of the whole selection (every shard) */
  readonly selected: readonly string[];
  /** host names of this shard */
  readonly mine: readonly string[];
  /** --only-failed: this run takes some of its shard's hosts, not all */
  readonly some?: boolean;
}

/**
 * The barrier between CI jobs: activation goes ahead only when a record of every one of the n
 * shards is given, none a dry run, all naming the same bundle id as this run, every host a record
 * says did not stage staged by another record of its shard (an `--only-failed` rerun's), and
 * together they cover exactly the selected hosts — this shard's exactly as this run slices them.
 * A host staged in two records must have the same config set in both. Anything else is a
 * UsageError before any connection. Returns what each host of this shard must hold (its probe
 * confirms it).
 */
export function checkStageRecords(records: readonly LoadedRecord[], c: ActivationCheck): Map<string, StagedHost> {
  if (!records.length) throw new UsageError('--phase activate needs --staged FILES (the records of every shard)');
  const byShard = new Map<number, LoadedRecord[]>();
  const n = c.shard.count;
  for (const { file, rec } of records) {
    const at = `--staged ${file}`;
    if (rec.shard.count !== n)
      throw new UsageError(
        `${at}: staged as shard ${shardLabel(rec.shard)}, this activation is shard ${shardLabel(c.shard)}`,
      );
    if (rec.id !== c.id) throw new UsageError(`${at}: staged bundle ${rec.id}, this activation is ${c.id}`);
    if (rec.dryRun) throw new UsageError(`${at}: a --dry-run record (nothing was staged)`);
    byShard.set(rec.shard.index, [...(byShard.get(rec.shard.index) ?? []), { file, rec }]);
  }
  const missing = Array.from({ length: n }, (_, i) => i + 1).filter((i) => !byShard.has(i));
  if (missing.length)
    throw new UsageError(
      `no stage record for shard ${missing.map((i) => `${i}/${n}`).join(', ')}: ` +
        'activation waits until every shard staged (nothing switched)',
    );
  const recorded = new Map<string, StagedHost>();
  const from = new Map<string, string>();
  for (const shard of byShard.values())
    for (const { file, rec } of shard) {
      // failed here, staged by another record of the shard (a rerun): it counts as staged
      const still = rec.failed.filter(
        (f) => !shard.some((o) => o.rec !== rec && o.rec.hosts.some((h) => h.host === f)),
      );
      if (still.length || (!rec.complete && !rec.failed.length))
        throw new UsageError(
          `--staged ${file}: shard ${shardLabel(rec.shard)} did not stage on ${still.join(', ') || '?'} ` +
            `(stage them again with --only-failed ${file}, then give both records)`,
        );
      for (const h of rec.hosts) {
        const seen = recorded.get(h.host);
        if (seen && seen.configHash !== h.configHash)
          throw new UsageError(
            `--staged ${file}: ${h.host} was staged with other configs in ${from.get(h.host)}: give the records of one staging`,
          );
        recorded.set(h.host, h);
        from.set(h.host, file);
      }
    }
  const notStaged = c.selected.filter((h) => !recorded.has(h));
  const extra = [...recorded.keys()].filter((h) => !c.selected.includes(h));
  if (notStaged.length || extra.length)
    throw new UsageError(
      'the stage records do not cover this selection' +
        `${notStaged.length ? ` (not staged: ${notStaged.join(', ')})` : ''}` +
        `${extra.length ? ` (staged but not selected now: ${extra.join(', ')})` : ''}: ` +
        'stage and activate must select the same hosts from the same inventory',
    );
  const mineRec = new Set((byShard.get(c.shard.index) ?? []).flatMap(({ rec }) => rec.hosts.map((h) => h.host)));
  const want = new Set(c.mine);
  const moved = [...mineRec].filter((h) => !want.has(h));
  const gone = c.mine.filter((h) => !mineRec.has(h));
  if (gone.length || (!c.some && moved.length))
    throw new UsageError(
      `shard ${shardLabel(c.shard)} was staged with other hosts than it selects now (${[...gone, ...moved].join(', ')})`,
    );
  return new Map(c.mine.map((h) => [h, recorded.get(h) as StagedHost]));
}
