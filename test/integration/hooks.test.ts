import { existsSync, lstatSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet, type FleetHost } from '../fleet/fleet.js';
import { ferry, fleetFlags } from '../helpers/ferry-cli.js';
import { fleetSkipReason } from '../helpers/skip.js';
import { makeDemoProject, DEMO_ATTRS, type DemoProject } from '../helpers/demo-project.js';
import { addDemoHooks } from '../helpers/hooked-demo.js';

const skip = fleetSkipReason();

interface Report {
  hosts: Array<{ host: string; status: string; steps: Array<{ id: string; status: string; command: string }> }>;
}

describe.skipIf(skip)('deploy hooks on a 4-host fleet', () => {
  let fleet: Fleet;
  let proj: DemoProject;
  let flags: string[];
  let n = 0;
  const json = () => join(proj.dir, `.r${++n}.json`);
  const report = async (file: string): Promise<Report> => JSON.parse(await readFile(file, 'utf8')) as Report;
  const run = (...args: string[]) =>
    ferry(['--project', proj.dir, ...flags, ...args, '--roles', 'app'], { timeoutMs: 240_000 });
  const current = (h: FleetHost) => readlinkSync(join(h.root, 'srv/demo/current')).replace('releases/', '');
  const currents = () => fleet.hosts.map(current);
  const switchedAt = (h: FleetHost) => lstatSync(join(h.root, 'srv/demo/current')).mtimeMs;
  const hookLog = (h: FleetHost) => {
    const f = join(h.root, 'srv/demo/shared/log/hooks.log');
    return existsSync(f) ? readFileSync(f, 'utf8').trim().split('\n') : [];
  };
  const lastHistory = (h: FleetHost) =>
    JSON.parse(
      readFileSync(join(h.root, 'srv/demo/.ferry/history.jsonl'), 'utf8').trim().split('\n').pop() ?? '{}',
    ) as Record<string, string>;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    fleet = await startFleet({ hosts: 4, extraInventory: { defaults: DEMO_ATTRS } });
    proj = await makeDemoProject(readFileSync(fleet.inventoryFile, 'utf8'));
    flags = fleetFlags({ ...fleet, inventoryFile: join(proj.dir, 'inventory.yaml') });
    proj.tag('v1.0.0');
    await addDemoHooks(proj.dir); // see test/helpers/hooked-demo.ts
    await proj.setVersion('2.0.0');
    proj.tag('v2.0.0');
    await proj.setVersion('3.0.0');
    proj.tag('v3.0.0');
  }, 300_000);
  afterAll(async () => {
    await fleet?.stop();
  });

  it('run in order, once per host, around the switch; show as steps in --json', async () => {
    const r1 = await run('deploy', 'demo', '--tag', 'v1.0.0');
    expect(r1.code, r1.stdout + r1.stderr).toBe(0);
    ids.v1 = current(fleet.hosts[0]!);
    expect(fleet.hosts.flatMap(hookLog)).toEqual([]); // control: v1.0.0 has no hooks
    const f = json();
    const r = await run('--json', f, 'deploy', 'demo', '--tag', 'v2.0.0');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    ids.v2 = current(fleet.hosts[0]!);
    expect(ids.v2).toMatch(/^demo-v2\.0\.0-/);
    const rep = await report(f);
    for (const h of fleet.hosts) {
      expect(current(h)).toBe(ids.v2);
      // before the switch `current` is the old release; after it, the new one
      expect(hookLog(h).map((l) => l.trim())).toEqual([
        `afterStage ${ids.v2} releases/${ids.v1}`,
        `beforeSwitch ${ids.v2} releases/${ids.v1}`,
        `afterSwitch ${ids.v2} releases/${ids.v2}`,
      ]);
      const steps = rep.hosts.find((x) => x.host === h.name)!.steps.map((s) => s.id);
      // a hook's commands are recorded under its id, then the hook itself: one group per hook
      const shown = steps.filter((s, i) => (s.startsWith('hook:') || s.startsWith('once:')) && steps[i + 1] !== s);
      expect(shown, h.name).toEqual([
        'hook:afterStage',
        ...(h.name === 'h1' ? ['once:migrate'] : []),
        'hook:beforeSwitch',
        'hook:afterSwitch',
      ]);
    }
    // the UI names them too
    expect(r.stdout).toMatch(/\[h1\] hook beforeSwitch/);
  }, 300_000);

  it('--dry-run: a hook and its commands show as planned, nothing runs', async () => {
    const before = fleet.hosts.map(hookLog);
    const f = json();
    const r = await run('--dry-run', '--json', f, 'deploy', 'demo', '--tag', 'v3.0.0');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const h2 = (await report(f)).hosts.find((x) => x.host === 'h2')!;
    const i = h2.steps.findIndex((s) => s.id === 'hook:beforeSwitch');
    expect(h2.steps[i]).toMatchObject({ status: 'planned', command: '# hook beforeSwitch' });
    // the hook's own commands, planned under its id
    expect(h2.steps[i + 1]).toMatchObject({ id: 'hook:beforeSwitch', status: 'planned' });
    expect(h2.steps[i + 1]?.command).toContain('hooks.log');
    expect(h2.steps[i + 2]?.command).toContain('fail-before-switch');
    expect(r.stdout).toMatch(/\$ test ! -e \/srv\/demo\/shared\/tmp\/fail-before-switch/);
    expect(fleet.hosts.map(hookLog)).toEqual(before);
    expect(currents().every((c) => c === ids.v2)).toBe(true);
  }, 300_000);

  it('a failing beforeSwitch stops that host before it switches, and counts against --max-fail', async () => {
    const h2 = fleet.host('h2');
    writeFileSync(join(h2.root, 'srv/demo/shared/tmp/fail-before-switch'), '');
    const h2Switched = switchedAt(h2);
    const logBefore = fleet.hosts.map((h) => hookLog(h).length);
    // --max-fail 0 (the default): h2's failure is over budget, every host this run switched goes back
    const r0 = await run('deploy', 'demo', '--tag', 'v3.0.0');
    expect(r0.code, r0.stdout + r0.stderr).toBe(1);
    expect(currents()).toEqual(fleet.hosts.map(() => ids.v2));
    expect(switchedAt(h2)).toBe(h2Switched);
    const h2Log = hookLog(h2).slice(logBefore[1]);
    expect(h2Log[0]).toMatch(/^afterStage demo-v3\.0\.0-/);
    expect(h2Log[1]).toMatch(/^beforeSwitch demo-v3\.0\.0-\S+ releases\/demo-v2/);
    expect(h2Log[2]).toMatch(/^onFailure demo-v3\.0\.0-\S+ releases\/demo-v2\S+ .*hook beforeSwitch failed/);
    expect(h2Log).toHaveLength(3); // no afterSwitch
    expect(lastHistory(h2)).toMatchObject({ result: 'failed', failedStep: 'hook:beforeSwitch' });
    for (const h of fleet.hosts.filter((x) => x.name !== 'h2')) {
      expect(lastHistory(h), h.name).toMatchObject({ result: 'rolled-back' });
      expect(hookLog(h).pop()).toMatch(/^onFailure .*switched back/);
    }
    // --max-fail 1: the others stay switched, h2 still never switched
    const r1 = await run('deploy', 'demo', '--tag', 'v3.0.0', '--max-fail', '1');
    expect(r1.code, r1.stdout + r1.stderr).toBe(1);
    expect(switchedAt(h2)).toBe(h2Switched);
    expect(current(h2)).toBe(ids.v2);
    for (const h of fleet.hosts.filter((x) => x.name !== 'h2')) expect(current(h)).toMatch(/^demo-v3\.0\.0-/);
    expect(r1.stdout).toMatch(/\[h2\] FAILED.*hook beforeSwitch failed/);
  }, 300_000);
});
