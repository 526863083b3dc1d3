import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors/index.js';
import {
  checkStageRecords,
  readStageRecords,
  stageRecord,
  type LoadedRecord,
  type StageRecord,
} from '../../../src/lifecycle/stage-record.js';
import type { HostReport } from '../../../src/runner/report.js';

const B = { name: 'demo', id: 'demo-v3-abcdef0-12345678', sha256: 'f'.repeat(64) };
const rep = (host: string, status: HostReport['status'] = 'ok'): HostReport => ({
  host,
  status,
  durationMs: 1,
  channels: 2,
  steps: [],
  changes: 0,
});
const plan = (hash: string) => ({ from: undefined, to: B.id, configHash: hash, upToDate: false });
/** shard i of 2 over h1..h4: h1,h3 in 1, h2,h4 in 2 */
const rec = (i: number, over: Partial<StageRecord> = {}): LoadedRecord => {
  const hosts = i === 1 ? ['h1', 'h3'] : ['h2', 'h4'];
  const r = stageRecord(
    B,
    { index: i, count: 2 },
    false,
    hosts.map((h) => rep(h)),
    new Map(hosts.map((h) => [h, plan(`cfg-${h}`)])),
  );
  return { file: `stage-${i}.json`, rec: { ...r, ...over } };
};
const check = { id: B.id, shard: { index: 2, count: 2 }, selected: ['h1', 'h2', 'h3', 'h4'], mine: ['h2', 'h4'] };

describe('stage records: the barrier between the stage and the activate jobs', () => {
  it('a stage run records per host its release, sha256 and config hash; a failed host makes it incomplete', () => {
    const ok = rec(1).rec;
    expect(ok).toMatchObject({ complete: true, failed: [], shard: { index: 1, count: 2 }, id: B.id });
    expect(ok.hosts).toEqual([
      { host: 'h1', id: B.id, sha256: B.sha256, configHash: 'cfg-h1' },
      { host: 'h3', id: B.id, sha256: B.sha256, configHash: 'cfg-h3' },
    ]);
    const bad = stageRecord(
      B,
      { index: 1, count: 2 },
      false,
      [rep('h1'), rep('h3', 'unreachable')],
      new Map([['h1', plan('x')]]),
    );
    expect(bad).toMatchObject({ complete: false, failed: ['h3'] });
  });

  it('all shards, same bundle: this shard’s hosts and what they must hold', () => {
    const want = checkStageRecords([rec(1), rec(2)], check);
    expect([...want.keys()]).toEqual(['h2', 'h4']);
    expect(want.get('h4')?.configHash).toBe('cfg-h4');
  });

  it.each([
    ['a shard is missing', () => [rec(2)], /no stage record for shard 1\/2/],
    ['another bundle id', () => [rec(1, { id: 'demo-v2-0000000-00000000' }), rec(2)], /staged bundle demo-v2/],
    ['another shard count', () => [rec(1, { shard: { index: 1, count: 3 } }), rec(2)], /shard 1\/3/],
    [
      'a host staged with other configs in two records of its shard',
      () => [
        rec(1),
        rec(2),
        { file: 'again.json', rec: { ...rec(2).rec, hosts: [{ ...rec(2).rec.hosts[0]!, configHash: 'x' }] } },
      ],
      /again\.json: h2 was staged with other configs in stage-2\.json/,
    ],
    ['a dry run', () => [rec(1, { dryRun: true }), rec(2)], /--dry-run record/],
    ['an incomplete stage', () => [rec(1, { complete: false, failed: ['h3'] }), rec(2)], /did not stage on h3/],
    ['no records', () => [], /needs --staged/],
  ])('refuses: %s', (_what, records, message) => {
    const f = () => checkStageRecords(records(), check);
    expect(f).toThrow(UsageError);
    expect(f).toThrow(message);
  });

  it('an incomplete stage and the record of its --only-failed rerun count as the shard staged', () => {
    const partial = rec(2, { complete: false, failed: ['h4'], hosts: rec(2).rec.hosts.slice(0, 1) });
    const rerun = { file: 'rerun.json', rec: { ...rec(2).rec, hosts: rec(2).rec.hosts.slice(1) } };
    const want = checkStageRecords([rec(1), partial, rerun], check);
    expect([...want.keys()]).toEqual(['h2', 'h4']);
    expect(want.get('h4')?.configHash).toBe('cfg-h4');
    // the same shard staged twice alike is no conflict
    expect(checkStageRecords([rec(1), rec(2), { ...rec(2), file: 'copy.json' }], check).size).toBe(2);
    expect(() => checkStageRecords([rec(1), partial], check)).toThrow(/stage-2\.json: shard 2\/2 did not stage on h4/);
    expect(() => checkStageRecords([rec(1), rerun], check)).toThrow(/not staged: h2/);
  });

  it('refuses when the records and this run select different hosts', () => {
    expect(() => checkStageRecords([rec(1), rec(2)], { ...check, selected: [...check.selected, 'h5'] })).toThrow(
      /not staged: h5/,
    );
    expect(() => checkStageRecords([rec(1), rec(2)], { ...check, mine: ['h2', 'h3'] })).toThrow(
      /shard 2\/2 was staged with other hosts/,
    );
  });

  it('reads files by a quoted pattern; foreign or missing files are usage errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-rec-'));
    for (const r of [rec(1), rec(2)]) await writeFile(join(dir, r.file), JSON.stringify({ stageRecord: r.rec }));
    await writeFile(join(dir, 'other.json'), '{"hosts": []}');
    const got = await readStageRecords(['stage-*.json'], dir);
    expect(got.map((g) => g.rec.shard.index)).toEqual([1, 2]);
    await expect(readStageRecords(['nope-*.json'], dir)).rejects.toThrow(/no file matches/);
    await expect(readStageRecords(['other.json'], dir)).rejects.toThrow(/holds no stage record/);
    await expect(readStageRecords(['missing.json'], dir)).rejects.toThrow(/cannot read it \(ENOENT\)/);
  });
});
