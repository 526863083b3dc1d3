import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet, type FleetHost } from '../fleet/fleet.js';
import { ferry, fleetFlags } from '../helpers/ferry-cli.js';
import { fleetSkipReason } from '../helpers/skip.js';
import { makeMiniProject } from '../helpers/mini-project.js';
import type { DemoProject } from '../helpers/demo-project.js';
import { shardAssignment } from '../../src/inventory/shard.js';

const skip = fleetSkipReason();
const N = 4;

interface StageReport {
  hosts: Array<{ host: string; status: string }>;
  stageRecord: {
    id: string;
    shard: { index: number; count: number };
    complete: boolean;
    hosts: Array<{ host: string; configHash: string }>;
  };
}

describe.skipIf(skip)('a deploy split into 4 shards of a 20-host fleet: stage jobs, then activate jobs', () => {
  let fleet: Fleet;
  let proj: DemoProject;
  let flags: string[];
  const run = (...args: string[]) =>
    ferry(['--project', proj.dir, ...flags, ...args], { cwd: proj.dir, timeoutMs: 240_000 });
  const current = (h: FleetHost) => readlinkSync(join(h.root, 'srv/mini/current')).replace('releases/', '');
  const currents = () => new Set(fleet.hosts.map(current));
  const rec = (i: number) => join(proj.dir, `stage-${i}.json`);
  const stage = (i: number, tag = 'v2', file = rec(i)) =>
    run('deploy', 'mini', '--tag', tag, '--phase', 'stage', '--shard', `${i}/${N}`, '--json', file);
  const activate = (i: number, staged = 'stage-*.json') =>
    run('deploy', 'mini', '--tag', 'v2', '--phase', 'activate', '--shard', `${i}/${N}`, '--staged', staged);
  let shards: Map<string, number>;
  let v1 = '';
  let v2 = '';

  beforeAll(async () => {
    const specs = [
      ...Array.from({ length: 4 }, (_, i) => ({ name: `lb${i + 1}`, roles: ['lb'] })),
      ...Array.from({ length: 16 }, (_, i) => ({ name: `web${i + 1}`, roles: ['app'] })),
    ];
    fleet = await startFleet({ hosts: specs });
    proj = await makeMiniProject(readFileSync(fleet.inventoryFile, 'utf8'), { roles: ['app', 'lb'] });
    flags = fleetFlags({ ...fleet, inventoryFile: join(proj.dir, 'inventory.yaml') });
    proj.tag('v1');
    await proj.setVersion('2');
    proj.tag('v2');
    const r = await run('deploy', 'mini', '--tag', 'v1');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    v1 = current(fleet.hosts[0]!);
    shards = shardAssignment(
      fleet.hosts.map((h) => ({ name: h.name, address: h.address, roles: h.roles, attrs: {} })),
      N,
    );
  }, 300_000);
  afterAll(async () => {
    await fleet?.stop();
  });

  it('--dry-run shows the slice: 5 of 20 hosts, one LB each', async () => {
    const r = await run('--dry-run', 'deploy', 'mini', '--tag', 'v2', '--phase', 'stage', '--shard', '3/4');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const line = r.stdout.split('\n').find((l) => l.startsWith('shard 3/4:')) ?? '';
    const names = fleet.hosts.filter((h) => shards.get(h.name) === 3).map((h) => h.name);
    expect(line).toBe(`shard 3/4: 5 of 20 selected host(s): ${names.join(', ')}`);
    expect(names.filter((n) => n.startsWith('lb'))).toHaveLength(1);
  });

  it('stages in 4 processes: every host staged, nothing switched; each record names its shard', async () => {
    // the first job builds into the project's bundle cache; the other three run side by side
    const first = await stage(1);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const rest = await Promise.all([2, 3, 4].map((i) => stage(i)));
    for (const r of rest) expect(r.code, r.stdout + r.stderr).toBe(0);
    for (let i = 1; i <= N; i++) {
      const report = JSON.parse(await readFile(rec(i), 'utf8')) as StageReport;
      expect(report.stageRecord).toMatchObject({ shard: { index: i, count: N }, complete: true });
      expect(report.stageRecord.hosts.map((h) => h.host).sort()).toEqual(
        fleet.hosts
          .filter((h) => shards.get(h.name) === i)
          .map((h) => h.name)
          .sort(),
      );
      v2 = report.stageRecord.id;
    }
    expect(v2).toMatch(/^mini-v2-/);
    expect(currents()).toEqual(new Set([v1]));
    for (const h of fleet.hosts) expect(existsSync(join(h.root, 'srv/mini/releases', v2)), h.name).toBe(true);
    const history = readFileSync(join(fleet.hosts[5]!.root, 'srv/mini/.ferry/history.jsonl'), 'utf8');
    expect(JSON.parse(history.trim().split('\n').pop() ?? '{}')).toMatchObject({ result: 'staged-only', to: v2 });
  }, 300_000);

  it('activate refuses (exit 2, nothing switched) when a shard’s record is missing or names another bundle', async () => {
    const missing = await run(
      'deploy',
      'mini',
      '--tag',
      'v2',
      '--phase',
      'activate',
      '--shard',
      '1/4',
      ...[1, 2, 3].flatMap((i) => ['--staged', rec(i)]),
    );
    expect(missing.code, missing.stdout + missing.stderr).toBe(2);
    expect(missing.stderr).toContain('no stage record for shard 4/4');
    // a real record of shard 4 — of the release the hosts already run
    const other = join(proj.dir, 'other-4.json');
    const old = await stage(4, 'v1', other);
    expect(old.code, old.stdout + old.stderr).toBe(0);
    for (const i of [1, 4]) {
      const r = await run(
        'deploy',
        'mini',
        '--tag',
        'v2',
        '--phase',
        'activate',
        '--shard',
        `${i}/4`,
        ...[rec(1), rec(2), rec(3), other].flatMap((f) => ['--staged', f]),
      );
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(r.stderr).toContain(`staged bundle ${v1}, this activation is ${v2}`);
    }
    await rm(other);
    expect(currents()).toEqual(new Set([v1]));
  }, 300_000);

  it('a host not staged as recorded fails its shard’s activation there (the probe sees it): nothing switched', async () => {
    const victim = fleet.hosts.find((h) => shards.get(h.name) === 2 && h.roles.includes('app'))!;
    await rm(join(victim.root, 'srv/mini/releases', v2), { recursive: true, force: true });
    const r = await activate(2);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain(`[${victim.name}] FAILED`);
    expect(r.stdout).toContain('not staged as recorded');
    expect(currents()).toEqual(new Set([v1]));
    // the shard's stage job again, then its record is good
    const again = await stage(2);
    expect(again.code, again.stdout + again.stderr).toBe(0);
  }, 300_000);

  it('activates in 4 processes once every shard staged: every host on the new release', async () => {
    const results = await Promise.all([1, 2, 3, 4].map((i) => activate(i)));
    for (const r of results) expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(currents()).toEqual(new Set([v2]));
    for (const h of fleet.hosts) {
      const conf = readFileSync(join(h.root, 'srv/mini/current/config/app.conf'), 'utf8');
      expect(conf).toBe(`host=${h.name} version=v2\n`);
    }
    // a rerun of an activation is a no-op: every host already runs it
    const again = await activate(3);
    expect(again.code, again.stdout + again.stderr).toBe(0);
  }, 300_000);
});
