import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet, type FleetHost } from '../fleet/fleet.js';
import { ferry, fleetFlags } from '../helpers/ferry-cli.js';
import { fleetSkipReason } from '../helpers/skip.js';
import { makeMiniProject } from '../helpers/mini-project.js';
import type { DemoProject } from '../helpers/demo-project.js';

const skip = fleetSkipReason();
const HOSTS = 10;
/** their releases/ is read-only during the first stage run */
const BAD = ['h2', 'h5', 'h9'];

interface StageReport {
  runId: string;
  hosts: Array<{ host: string; status: string }>;
  stageRecord: { id: string; complete: boolean; failed: string[]; hosts: Array<{ host: string }> };
}

describe.skipIf(skip)(`--phase stage, --only-failed, then --phase activate on a ${HOSTS}-host fleet`, () => {
  let fleet: Fleet;
  let proj: DemoProject;
  let flags: string[];
  let v1 = '';
  let v2 = '';
  const first = () => join(proj.dir, 'stage-first.json');
  const rerun = () => join(proj.dir, 'stage-rerun.json');
  const run = (...args: string[]) =>
    ferry(['--project', proj.dir, ...flags, ...args], { cwd: proj.dir, timeoutMs: 240_000 });
  const report = async (f: string) => JSON.parse(await readFile(f, 'utf8')) as StageReport;
  const current = (h: FleetHost) => readlinkSync(join(h.root, 'srv/mini/current')).replace('releases/', '');
  const currents = () => new Set(fleet.hosts.map(current));
  const history = (h: FleetHost) => readFileSync(join(h.root, 'srv/mini/.ferry/history.jsonl'), 'utf8');
  const good = () => fleet.hosts.filter((h) => !BAD.includes(h.name));
  const bad = () => fleet.hosts.filter((h) => BAD.includes(h.name));
  const staged = (h: FleetHost) => existsSync(join(h.root, 'srv/mini/releases', v2));
  const activate = (...staged: string[]) =>
    run('deploy', 'mini', '--tag', 'v2', '--phase', 'activate', ...staged.flatMap((f) => ['--staged', f]));

  beforeAll(async () => {
    fleet = await startFleet({ hosts: HOSTS });
    proj = await makeMiniProject(readFileSync(fleet.inventoryFile, 'utf8'));
    flags = fleetFlags({ ...fleet, inventoryFile: join(proj.dir, 'inventory.yaml') });
    proj.tag('v1');
    await proj.setVersion('2');
    proj.tag('v2');
    const r = await run('deploy', 'mini', '--tag', 'v1');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    v1 = current(fleet.hosts[0]!);
  }, 300_000);
  afterAll(async () => {
    await fleet?.stop();
  });

  it(`stage with releases/ read-only on ${BAD.join(', ')}: those fail, the record says so, nothing switched`, async () => {
    // a read-only filesystem under releases/, inside those hosts' own mount namespaces only
    for (const h of bad()) {
      const ro = 'mount --bind /srv/mini/releases /srv/mini/releases && mount -o remount,bind,ro /srv/mini/releases';
      const m = await fleet.exec(h, ro);
      expect(m.code, m.stderr).toBe(0);
    }
    for (const h of fleet.hosts) {
      const w = await fleet.exec(h, 'touch /srv/mini/releases/.w && rm /srv/mini/releases/.w');
      expect(w.code === 0, h.name).toBe(!BAD.includes(h.name));
    }
    const r = await run('deploy', 'mini', '--tag', 'v2', '--phase', 'stage', '--json', first());
    expect(r.code, r.stdout + r.stderr).toBe(1);
    for (const b of BAD) expect(r.stdout).toMatch(new RegExp(`\\[${b}\\] FAILED.*Read-only file system`));
    const rep = await report(first());
    v2 = rep.stageRecord.id;
    expect(v2).toMatch(/^mini-v2-/);
    expect(rep.hosts.filter((h) => h.status !== 'ok').map((h) => `${h.host}:${h.status}`)).toEqual(
      BAD.map((b) => `${b}:failed`),
    );
    expect(rep.stageRecord).toMatchObject({ complete: false, failed: BAD });
    expect(rep.stageRecord.hosts.map((h) => h.host)).toEqual(good().map((h) => h.name));
    for (const h of fleet.hosts) expect(staged(h), h.name).toBe(!BAD.includes(h.name));
    expect(currents()).toEqual(new Set([v1]));
  }, 300_000);

  it('activate with only that record refuses (exit 2): nothing switched', async () => {
    const r = await activate(first());
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toContain(`shard 1/1 did not stage on ${BAD.join(', ')}`);
    expect(currents()).toEqual(new Set([v1]));
  }, 120_000);

  it('stage --only-failed restages exactly those 3 hosts; the others are not touched', async () => {
    for (const h of bad()) expect((await fleet.exec(h, 'umount /srv/mini/releases')).code, h.name).toBe(0);
    const before = new Map(good().map((h) => [h.name, history(h)]));
    const r = await run(
      'deploy',
      'mini',
      '--tag',
      'v2',
      '--phase',
      'stage',
      '--only-failed',
      first(),
      '--json',
      rerun(),
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const rep = await report(rerun());
    expect(rep.hosts.map((h) => `${h.host}:${h.status}`)).toEqual(BAD.map((b) => `${b}:ok`));
    expect(rep.stageRecord).toMatchObject({ id: v2, complete: true, failed: [] });
    expect(rep.stageRecord.hosts.map((h) => h.host)).toEqual(BAD);
    // no connection to the others: no log of theirs in this run, no history line
    expect(readdirSync(join(proj.dir, '.ferry/logs', rep.runId)).sort()).toEqual(BAD.map((b) => `${b}.log`).sort());
    for (const h of good()) expect(history(h), h.name).toBe(before.get(h.name));
    for (const h of bad()) {
      expect(staged(h), h.name).toBe(true);
      expect(JSON.parse(history(h).trim().split('\n').pop() ?? '{}')).toMatchObject({ result: 'staged-only', to: v2 });
    }
    expect(currents()).toEqual(new Set([v1]));
  }, 300_000);

  it('activate with only the rerun’s record refuses too: it covers 3 of 10 hosts', async () => {
    const r = await activate(rerun());
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toContain('the stage records do not cover this selection');
    expect(currents()).toEqual(new Set([v1]));
  }, 120_000);

  it('activate with both records (one pattern) switches every host', async () => {
    const r = await activate('stage-*.json');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(currents()).toEqual(new Set([v2]));
    for (const h of fleet.hosts)
      expect(readFileSync(join(h.root, 'srv/mini/current/config/app.conf'), 'utf8')).toBe(
        `host=${h.name} version=v2\n`,
      );
  }, 300_000);
});
