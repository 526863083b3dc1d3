import { readFileSync, readlinkSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet, type FleetHost } from '../fleet/fleet.js';
import { ferry, fleetFlags } from '../helpers/ferry-cli.js';
import { waitFor } from '../helpers/wait-for.js';
import { fleetSkipReason } from '../helpers/skip.js';
import { makeDemoProject, DEMO_ATTRS, type DemoProject } from '../helpers/demo-project.js';
import { parseShowStat, findServerStat } from '../../src/ops/haproxy/runtime.js';
import { startLoad, type LoadResult } from './load/load.js';

const skip = fleetSkipReason();
const APPS = ['web1', 'web2', 'web3', 'web4'];

describe.skipIf(skip)('rolling restarts and deploys behind a real HAProxy, under load', () => {
  let fleet: Fleet;
  let proj: DemoProject;
  let flags: string[];
  let lb: FleetHost;
  let url: string;
  const run = (...args: string[]) => ferry(['--project', proj.dir, ...flags, ...args], { timeoutMs: 300_000 });
  const current = (name: string) =>
    readlinkSync(join(fleet.host(name).root, 'srv/demo/current')).replace('releases/', '');
  const stat = async () => {
    const r = await fleet.exec(lb, `printf 'show stat\\n' | socat - UNIX-CONNECT:/run/haproxy/admin.sock`);
    return parseShowStat(r.stdout);
  };
  /**
   * Run `f` under load: the load is answered before `f` starts, and `settle` more answers are
   * counted after it ends (so what the rollout left behind is measured too).
   */
  async function underLoad(f: () => Promise<void>, settle = 30): Promise<LoadResult> {
    const load = startLoad({ url, rps: 120, maxRequests: 60_000, maxMs: 240_000 });
    const answered = () => load.progress().ok + load.progress().failed;
    await waitFor(() => load.progress().ok >= 10, { timeoutMs: 20_000, what: 'the load to be answered' });
    try {
      await f();
    } finally {
      const after = answered() + settle;
      await waitFor(() => answered() >= after, { timeoutMs: 20_000, what: `${settle} more answers after the run` });
    }
    const res = await load.stop();
    console.log(`load: sent ${res.sent}, ok ${res.ok}, failed ${res.failed}, versions ${JSON.stringify(res.versions)}`);
    return res;
  }

  beforeAll(async () => {
    fleet = await startFleet({
      hosts: [{ name: 'lb1', roles: ['lb'] }, ...APPS.map((name) => ({ name, roles: ['app'] }))],
      extraInventory: { defaults: DEMO_ATTRS },
    });
    lb = fleet.host('lb1');
    url = `http://${lb.address}:${DEMO_ATTRS.lb_port}/`;
    proj = await makeDemoProject(readFileSync(fleet.inventoryFile, 'utf8'));
    flags = fleetFlags({ ...fleet, inventoryFile: join(proj.dir, 'inventory.yaml') });
    proj.tag('v1.0.0');
    await proj.setVersion('1.1.0');
    proj.tag('v1.1.0');
    // v1.2.0-broken: starts, but its health check fails
    await proj.setVersion('1.2.0');
    const server = join(proj.dir, 'bundles/demo/app/server.js');
    const src = await readFile(server, 'utf8');
    await writeFile(server, src.replace("'/check.html'", "'/check.html-broken'"));
    proj.tag('v1.2.0-broken');
    const first = await run('deploy', 'demo', '--tag', 'v1.0.0', '--batch', '2');
    expect(first.code, first.stdout + first.stderr).toBe(0);
  }, 400_000);
  afterAll(async () => {
    await fleet?.stop();
  });

  it('the first rolling deploy leaves every app server UP in HAProxy', async () => {
    const rows = await stat();
    for (const a of APPS) expect(findServerStat(rows, 'demo', a)?.state, a).toBe('UP');
  });

  it('deploy --batch 2 --dry-run shows the batches and per-host steps, and changes nothing', async () => {
    const before = APPS.map(current);
    const r = await run('--dry-run', 'deploy', 'demo', '--tag', 'v1.1.0', '--batch', '2');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('== batch 1/2: web1, web2 ==');
    expect(r.stdout).toContain('== batch 2/2: web3, web4 ==');
    // the plan, phase by phase: the LB first, then the batches; the LB's runtime lines are planned
    // steps of the host they drain
    const plan = r.stdout.slice(r.stdout.indexOf('== plan: '));
    const at = (s: string) => plan.indexOf(s);
    expect(at('== plan: activate ==')).toBeGreaterThan(-1);
    expect(at('== plan: activate ==')).toBeLessThan(at('== plan: batch 1/2: web1, web2 =='));
    expect(at('== plan: batch 1/2: web1, web2 ==')).toBeLessThan(at('== plan: batch 2/2: web3, web4 =='));
    expect(plan).toContain('[web3] haproxy on lb1: set server demo/web3 state drain');
    expect(plan).toContain('[web3] haproxy on lb1: set server demo/web3 state ready');
    expect(plan).toMatch(/\[web3\] switch demo-v1\.0\.0-\S+ → demo-v1\.1\.0-\S+, then reload nginx, restart demo/);
    // -v: the exact runtime lines and commands under each
    const v = await run('--dry-run', '-v', 'deploy', 'demo', '--tag', 'v1.1.0', '--batch', '2');
    expect(v.code, v.stdout + v.stderr).toBe(0);
    expect(v.stdout).toMatch(/\[web3\] +\$ haproxy \/run\/haproxy\/admin\.sock: set server demo\/web3 state drain/);
    expect(v.stdout).toMatch(/\[web3\] +\$ haproxy \/run\/haproxy\/admin\.sock: set server demo\/web3 state ready/);
    expect(v.stdout).toMatch(/\[web3\] +\$ .*mv -Tf \/srv\/demo\/current\.tmp \/srv\/demo\/current/);
    expect(APPS.map(current)).toEqual(before);
  });

  it('ferry restart --batch 1: 0 failed requests, every program restarted, all UP', async () => {
    const pids = async () =>
      Promise.all(
        APPS.map(async (a) =>
          (await fleet.exec(fleet.host(a), 'supervisorctl -c /etc/supervisor/supervisord.conf pid demo')).stdout.trim(),
        ),
      );
    const before = await pids();
    let code = -1;
    const json = join(proj.dir, 'restart-report.json');
    const res = await underLoad(async () => {
      const r = await run('--json', json, 'restart', 'demo', '--batch', '1');
      code = r.code;
      expect(r.code, r.stdout + r.stderr).toBe(0);
    });
    expect(code).toBe(0);
    // every HAProxy runtime line is a step: in the report of the host it drains, and in the LB's log
    const report = JSON.parse(readFileSync(json, 'utf8')) as {
      runId: string;
      hosts: Array<{ host: string; steps: Array<{ title: string; command: string; status: string }> }>;
    };
    const web2 = report.hosts.find((h) => h.host === 'web2')?.steps ?? [];
    const lines = web2
      .filter((st) => st.command.startsWith('haproxy /run/haproxy/admin.sock: '))
      .map((st) => `${st.status} ${st.command.slice(33)}`);
    expect(lines).toEqual([
      'changed set server demo/web2 state drain',
      'ok show stat demo 4 -1',
      'changed set server demo/web2 state maint',
      'changed set server demo/web2 state ready',
      'ok show stat demo 4 -1',
    ]);
    expect(web2.find((st) => st.command.endsWith('state drain'))?.title).toBe(
      'haproxy on lb1: set server demo/web2 state drain',
    );
    const lbLog = readFileSync(join(proj.dir, '.ferry/logs', report.runId, 'lb1.log'), 'utf8');
    expect(lbLog).toContain('$ haproxy /run/haproxy/admin.sock: set server demo/web2 state drain');
    expect(res.failed).toBe(0);
    expect(res.ok).toBeGreaterThan(100);
    const after = await pids();
    for (let i = 0; i < APPS.length; i++) expect(after[i]).not.toBe(before[i]);
    for (const a of APPS) {
      const lines = readFileSync(join(fleet.host(a).root, 'srv/demo/.ferry/history.jsonl'), 'utf8')
        .trim()
        .split('\n');
      expect(JSON.parse(lines[lines.length - 1]!)).toMatchObject({ action: 'restart', result: 'ok' });
    }
    const rows = await stat();
    for (const a of APPS) expect(findServerStat(rows, 'demo', a)?.state).toBe('UP');
  });

  it('ferry deploy --tag v1.1.0 --batch 2: 0 failed requests, then every response is v1.1.0', async () => {
    const res = await underLoad(async () => {
      const r = await run('deploy', 'demo', '--tag', 'v1.1.0', '--batch', '2');
      expect(r.code, r.stdout + r.stderr).toBe(0);
    });
    expect(res.failed).toBe(0);
    // a sample of answers once the deploy is done: every one is the new version
    const after = await underLoad(async () => undefined, 150);
    expect(Object.keys(after.versions)).toEqual(['1.1.0']);
    for (const a of APPS) expect(current(a)).toMatch(/^demo-v1\.1\.0-/);
  });

  it('a release whose health check fails: first host rolled back and readied, no other host touched, exit 1', async () => {
    const before = APPS.map(current);
    let out = '';
    const res = await underLoad(async () => {
      const r = await run(
        'deploy',
        'demo',
        '--tag',
        'v1.2.0-broken',
        '--batch',
        '1',
        '--max-fail',
        '0',
        '--health-timeout',
        '4s',
      );
      out = r.stdout + r.stderr;
      expect(r.code, out).toBe(1);
    });
    expect(res.failed).toBe(0);
    expect(out).toMatch(/\[web1\] FAILED.*health gate/);
    expect(out).toMatch(/\[web2\] untouched/);
    expect(APPS.map(current)).toEqual(before);
    const rows = await stat();
    for (const a of APPS) expect(findServerStat(rows, 'demo', a)?.state, a).toBe('UP');
  });

  it("a restart where one host's program cannot start: it stays in maint, the others restarted, exit 1", async () => {
    const bad = fleet.host('web4');
    const file = join(bad.root, 'srv/demo', readlinkSync(join(bad.root, 'srv/demo/current')), 'app/app/server.js');
    const original = await readFile(file, 'utf8');
    await writeFile(file, 'process.exit(3);\n');
    try {
      let out = '';
      const res = await underLoad(async () => {
        const r = await run('restart', 'demo', '--batch', '1', '--health-timeout', '4s');
        out = r.stdout + r.stderr;
        expect(r.code, out).toBe(1);
      });
      expect(res.failed).toBe(0);
      expect(out).toMatch(/\[web4\] FAILED/);
      const rows = await stat();
      expect(findServerStat(rows, 'demo', 'web4')?.state).toBe('MAINT');
      for (const a of APPS.slice(0, 3)) expect(findServerStat(rows, 'demo', a)?.state).toBe('UP');
    } finally {
      await writeFile(file, original);
    }
  });

  it('a haproxy reload during a rollout keeps a drained server drained', async () => {
    await fleet.exec(lb, `printf 'set server demo/web2 state drain\\n' | socat - UNIX-CONNECT:/run/haproxy/admin.sock`);
    // redeploying to the LB reloads haproxy (config changes with the release)
    const r = await run('deploy', 'demo', '--tag', 'v1.0.0', '--hosts', 'lb1');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const pid = (await fleet.exec(lb, 'cat /run/haproxy.pid')).stdout.trim();
    expect(pid).not.toBe('');
    const rows = await stat();
    expect(findServerStat(rows, 'demo', 'web2')?.state).toBe('DRAIN');
    await fleet.exec(lb, `printf 'set server demo/web2 state ready\\n' | socat - UNIX-CONNECT:/run/haproxy/admin.sock`);
  });
});
