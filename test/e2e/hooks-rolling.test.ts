import { existsSync, lstatSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet, type FleetHost } from '../fleet/fleet.js';
import { ferry, fleetFlags } from '../helpers/ferry-cli.js';
import { waitFor } from '../helpers/wait-for.js';
import { fleetSkipReason } from '../helpers/skip.js';
import { makeDemoProject, DEMO_ATTRS, type DemoProject } from '../helpers/demo-project.js';
import { addDemoHooks } from '../helpers/hooked-demo.js';
import { parseShowStat, findServerStat } from '../../src/ops/haproxy/runtime.js';
import { startLoad } from './load/load.js';

const skip = fleetSkipReason();
const APPS = ['web1', 'web2', 'web3'];

interface Report {
  hosts: Array<{ host: string; status: string; steps: Array<{ id: string; status: string }> }>;
}

/** Hooks in a rolling deploy behind a real HAProxy: beforeSwitch runs drained; when it fails the host is readied as it was. */
describe.skipIf(skip)('hooks in a rolling deploy behind a real HAProxy', () => {
  let fleet: Fleet;
  let proj: DemoProject;
  let flags: string[];
  let lb: FleetHost;
  const run = (...args: string[]) => ferry(['--project', proj.dir, ...flags, ...args], { timeoutMs: 300_000 });
  const current = (name: string) =>
    readlinkSync(join(fleet.host(name).root, 'srv/demo/current')).replace('releases/', '');
  const hookLog = (name: string) => {
    const f = join(fleet.host(name).root, 'srv/demo/shared/log/hooks.log');
    return existsSync(f) ? readFileSync(f, 'utf8').trim().split('\n') : [];
  };
  const stat = async () => {
    const r = await fleet.exec(lb, `printf 'show stat\\n' | socat - UNIX-CONNECT:/run/haproxy/admin.sock`);
    return parseShowStat(r.stdout);
  };

  beforeAll(async () => {
    fleet = await startFleet({
      hosts: [{ name: 'lb1', roles: ['lb'] }, ...APPS.map((name) => ({ name, roles: ['app'] }))],
      extraInventory: { defaults: DEMO_ATTRS },
    });
    lb = fleet.host('lb1');
    proj = await makeDemoProject(readFileSync(fleet.inventoryFile, 'utf8'));
    flags = fleetFlags({ ...fleet, inventoryFile: join(proj.dir, 'inventory.yaml') });
    proj.tag('v1.0.0');
    await addDemoHooks(proj.dir);
    await proj.setVersion('1.1.0');
    proj.tag('v1.1.0');
    const first = await run('deploy', 'demo', '--tag', 'v1.0.0', '--batch', '1');
    expect(first.code, first.stdout + first.stderr).toBe(0);
  }, 400_000);
  afterAll(async () => {
    await fleet?.stop();
  });

  it('a failing beforeSwitch on web2 (drained): web2 never switches and is back UP, 0 failed requests', async () => {
    const web2 = fleet.host('web2');
    writeFileSync(join(web2.root, 'srv/demo/shared/tmp/fail-before-switch'), '');
    const switched = lstatSync(join(web2.root, 'srv/demo/current')).mtimeMs;
    const v1 = current('web2');
    const load = startLoad({
      url: `http://${lb.address}:${DEMO_ATTRS.lb_port}/`,
      rps: 100,
      maxRequests: 40_000,
      maxMs: 200_000,
    });
    await waitFor(() => load.progress().ok >= 10, { timeoutMs: 20_000, what: 'the load to be answered' });
    const json = join(proj.dir, 'hooks-rolling.json');
    const r = await run('--json', json, 'deploy', 'demo', '--tag', 'v1.1.0', '--batch', '1', '--max-fail', '1');
    const res = await load.stop();
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(res.failed, JSON.stringify(res.errors.slice(0, 5))).toBe(0);
    expect(current('web2')).toBe(v1);
    expect(lstatSync(join(web2.root, 'srv/demo/current')).mtimeMs).toBe(switched);
    for (const a of ['web1', 'web3']) expect(current(a)).toMatch(/^demo-v1\.1\.0-/);
    for (const a of APPS) expect(findServerStat(await stat(), 'demo', a)?.state, a).toBe('UP');
    // web2: drained, its hook failed, readied again — never switched
    const rep = JSON.parse(await readFile(json, 'utf8')) as Report;
    const ids = rep.hosts.find((h) => h.host === 'web2')!.steps.map((s) => s.id);
    const from = ids.indexOf('lb-drain');
    expect(
      ids.slice(from).filter((id) => id.startsWith('lb-') || id.startsWith('hook:b') || id === 'activate'),
    ).toEqual([
      'lb-drain',
      'lb-drained',
      'lb-maint',
      'hook:beforeSwitch',
      'hook:beforeSwitch',
      'hook:beforeSwitch',
      'lb-ready',
      'lb-up',
    ]);
    expect(
      hookLog('web2')
        .slice(-2)
        .map((l) => l.split(' ')[0]),
    ).toEqual(['beforeSwitch', 'onFailure']);
    expect(hookLog('web1').map((l) => l.split(' ')[0])).toEqual(['afterStage', 'beforeSwitch', 'afterSwitch']);
    // the LB host is activated first, with its hooks too
    expect(hookLog('lb1').map((l) => l.split(' ')[0])).toEqual(['afterStage', 'beforeSwitch', 'afterSwitch']);
  }, 400_000);
});
