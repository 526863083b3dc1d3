import { readFileSync, readlinkSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet, type FleetHost } from '../fleet/fleet.js';
import { ferry, fleetFlags } from '../helpers/ferry-cli.js';
import { waitFor } from '../helpers/wait-for.js';
import { fleetSkipReason } from '../helpers/skip.js';
import { makeDemoProject, DEMO_ATTRS, type DemoProject } from '../helpers/demo-project.js';
import { findServerStat, parseShowStat, type StatRow } from '../../src/ops/haproxy/runtime.js';
import { startLoad, type LoadResult } from './load/load.js';

const skip = fleetSkipReason();
const APPS = ['web1', 'web2', 'web3'];
const LBS = ['lb1', 'lb2'];
const SUPERVISORCTL = 'supervisorctl -c /etc/supervisor/supervisord.conf';

/** Connection-level failures (no HTTP answer at all): what a flip or a drain must never cause. */
const connectionErrors = (r: LoadResult) => r.errors.filter((e) => e.status === undefined);

describe.skipIf(skip)('ferry lb, ferry maintenance and the error-rate gate, behind two real HAProxies', () => {
  let fleet: Fleet;
  let proj: DemoProject;
  let flags: string[];
  const run = (...args: string[]) => ferry(['--project', proj.dir, ...flags, ...args], { timeoutMs: 300_000 });
  const url = (lb: string, path = '/') => `http://${fleet.host(lb).address}:${DEMO_ATTRS.lb_port}${path}`;
  const current = (name: string) =>
    readlinkSync(join(fleet.host(name).root, 'srv/demo/current')).replace('releases/', '');
  const history = (name: string) =>
    readFileSync(join(fleet.host(name).root, 'srv/demo/.ferry/history.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  const stat = async (lb: FleetHost): Promise<StatRow[]> => {
    const r = await fleet.exec(lb, `printf 'show stat\\n' | socat - UNIX-CONNECT:/run/haproxy/admin.sock`);
    return parseShowStat(r.stdout);
  };
  /** every LB sees `server` in state `state` */
  const everywhere = async (server: string, ok: (r: StatRow) => boolean) => {
    for (const lb of LBS) {
      const row = findServerStat(await stat(fleet.host(lb)), 'demo', server);
      if (!row || !ok(row)) return false;
    }
    return true;
  };
  /** load through both LBs while `f` runs */
  async function underLoad(f: () => Promise<void>, path = '/', rps = 60): Promise<LoadResult[]> {
    const loads = LBS.map((lb) => startLoad({ url: url(lb, path), rps, maxRequests: 60_000, maxMs: 240_000 }));
    await waitFor(() => loads.every((l) => l.progress().ok >= 5), {
      timeoutMs: 20_000,
      what: 'the load to be answered',
    });
    try {
      await f();
    } catch (err) {
      await Promise.all(loads.map((l) => l.stop()));
      throw err;
    }
    const res = await Promise.all(loads.map((l) => l.stop()));
    for (const r of res) console.log(`load: sent ${r.sent}, ok ${r.ok}, failed ${r.failed}`);
    return res;
  }

  beforeAll(async () => {
    fleet = await startFleet({
      hosts: [...LBS.map((name) => ({ name, roles: ['lb'] })), ...APPS.map((name) => ({ name, roles: ['app'] }))],
      extraInventory: { defaults: DEMO_ATTRS },
    });
    proj = await makeDemoProject(readFileSync(fleet.inventoryFile, 'utf8'));
    flags = fleetFlags({ ...fleet, inventoryFile: join(proj.dir, 'inventory.yaml') });
    proj.tag('v1.0.0');
    // v1.1.0-errors: answers 500 to 5% of `/`, passes /check.html (the demo's error knob)
    const pkgFile = join(proj.dir, 'bundles/demo/package.json');
    const pkg = JSON.parse(await readFile(pkgFile, 'utf8')) as Record<string, unknown>;
    await writeFile(pkgFile, `${JSON.stringify({ ...pkg, version: '1.1.0', demoErrorPercent: 5 }, null, 2)}\n`);
    proj.tag('v1.1.0-errors');
    const first = await run('deploy', 'demo', '--tag', 'v1.0.0', '--batch', '3');
    expect(first.code, first.stdout + first.stderr).toBe(0);
  }, 400_000);
  afterAll(async () => {
    await fleet?.stop();
  });

  it('lb status: a table of every backend on both LBs, and --json', async () => {
    const r = await run('lb', 'status', 'demo');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/lb1 +demo +OK +3\/3/);
    expect(r.stdout).toMatch(/lb2 +demo +OK +3\/3/);
    expect(r.stdout).not.toContain('ferry_maintenance');
    const file = join(proj.dir, 'lb-status.json');
    const j = await run('--json', file, 'lb', 'status', 'demo');
    expect(j.code, j.stdout + j.stderr).toBe(0);
    const report = JSON.parse(readFileSync(file, 'utf8')) as {
      hosts: Array<{ host: string; result: { backends: unknown[] } }>;
    };
    expect(report.hosts.map((h) => h.host).sort()).toEqual(LBS);
    expect(report.hosts[0]?.result.backends[0]).toMatchObject({ backend: 'demo', up: 3, total: 3, state: 'OK' });
  });

  it('lb status --nagios: exit 0 all UP, 1 with one DOWN, 2 with all DOWN', async () => {
    const ok = await run('lb', 'status', 'demo', '--nagios');
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^HAPROXY OK - lb1\/demo 3\/3 UP; lb2\/demo 3\/3 UP \| 'lb1\/demo_up'=3;;;0;3 /);
    expect(ok.stdout.trim().split('\n')).toHaveLength(1);
    const stop = (h: string) => fleet.exec(fleet.host(h), `${SUPERVISORCTL} stop demo`);
    const start = (h: string) => fleet.exec(fleet.host(h), `${SUPERVISORCTL} start demo`);
    try {
      await stop('web3');
      await waitFor(() => everywhere('web3', (r) => r.state === 'DOWN'), { timeoutMs: 20_000, what: 'web3 DOWN' });
      const warn = await run('lb', 'status', 'demo', '--nagios');
      expect(warn.code, warn.stdout).toBe(1);
      expect(warn.stdout).toMatch(/^HAPROXY WARNING - lb1\/demo 2\/3 UP \(web3 DOWN/);
      await stop('web1');
      await stop('web2');
      for (const h of ['web1', 'web2'])
        await waitFor(() => everywhere(h, (r) => r.state === 'DOWN'), { timeoutMs: 20_000, what: `${h} DOWN` });
      const crit = await run('lb', 'status', 'demo', '--nagios');
      expect(crit.code, crit.stdout).toBe(2);
      expect(crit.stdout).toMatch(/^HAPROXY CRITICAL - lb1\/demo 0\/3 UP/);
    } finally {
      for (const h of APPS) await start(h);
    }
    for (const h of APPS)
      await waitFor(() => everywhere(h, (r) => r.state === 'UP'), { timeoutMs: 30_000, what: `${h} UP again` });
  });

  it('bad input: an unknown host or backend is exit 2, naming it and the valid ones', async () => {
    const host = await run('lb', 'drain', 'web9');
    expect(host.code, host.stdout + host.stderr).toBe(2);
    expect(host.stderr).toMatch(
      /unknown host web9: not a server of haproxy backend demo \(servers: web1, web2, web3\)/,
    );
    const be = await run('lb', 'status', 'demo', '--backend', 'nope');
    expect(be.code, be.stdout + be.stderr).toBe(2);
    expect(be.stderr).toMatch(/unknown haproxy backend nope: the LBs have demo/);
    const n = await run('lb', 'status', 'demo', '--backend', 'nope', '--nagios');
    expect(n.code).toBe(3);
    expect(n.stdout).toMatch(/^HAPROXY UNKNOWN - unknown haproxy backend nope/);
    const plain = await run('deploy', 'demo', '--tag', 'v1.1.0-errors', '--max-error-rate', '1%');
    expect(plain.code, plain.stdout + plain.stderr).toBe(2);
    expect(plain.stderr).toMatch(/--max-error-rate needs --batch/);
    const rate = await run('deploy', 'demo', '--tag', 'v1.1.0-errors', '--batch', '1', '--max-error-rate', '1');
    expect(rate.code).toBe(2);
    expect(rate.stderr).toMatch(/expected a percentage/);
    // nothing was changed by the refused drain
    expect(await everywhere('web9', () => true)).toBe(false);
    expect(await everywhere('web1', (r) => r.state === 'UP')).toBe(true);
  });

  it('lb drain under load: waits until the sessions reach 0 on both LBs; ready puts it back; history records both', async () => {
    const dry = await run('--dry-run', '-v', 'lb', 'drain', 'web2');
    expect(dry.code, dry.stdout + dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/\[lb1\] +\$ haproxy \/run\/haproxy\/admin\.sock: set server demo\/web2 state drain/);
    expect(await everywhere('web2', (r) => r.state === 'UP')).toBe(true);
    // slow requests keep sessions open on every server, so "reach 0" is a real wait
    const res = await underLoad(
      async () => {
        await waitFor(() => everywhere('web2', (r) => r.scur > 0), { timeoutMs: 20_000, what: 'sessions on web2' });
        const r = await run('lb', 'drain', 'web2', '--timeout', '20s');
        expect(r.code, r.stdout + r.stderr).toBe(0);
        expect(await everywhere('web2', (x) => x.state === 'DRAIN' && x.scur === 0)).toBe(true);
        const back = await run('lb', 'ready', 'web2');
        expect(back.code, back.stdout + back.stderr).toBe(0);
        expect(await everywhere('web2', (x) => x.state === 'UP')).toBe(true);
      },
      '/?delay=800',
      30,
    );
    for (const r of res) expect(r.failed, JSON.stringify(r.errors.slice(0, 5))).toBe(0);
    const lines = history('lb1').filter((e) => e.action === 'lb');
    expect(lines.map((e) => [e.change, e.result])).toEqual([
      ['drain demo/web2', 'ok'],
      ['ready demo/web2', 'ok'],
    ]);
  });

  it('maintenance on: clients get the page, off: the app again; no connection error across both flips', async () => {
    const page = async () => {
      const r = await fetch(url('lb1'));
      return { status: r.status, body: await r.text() };
    };
    const res = await underLoad(async () => {
      const on = await run('maintenance', 'on', 'demo');
      expect(on.code, on.stdout + on.stderr).toBe(0);
      const p = await page();
      expect(p.status).toBe(503);
      expect(p.body).toContain('Down for maintenance');
      const p2 = await fetch(url('lb2'));
      expect(p2.status).toBe(503);
      const off = await run('maintenance', 'off', 'demo');
      expect(off.code, off.stdout + off.stderr).toBe(0);
      const q = await page();
      expect(q.status).toBe(200);
      expect(JSON.parse(q.body)).toMatchObject({ name: 'demo', version: '1.0.0' });
    });
    for (const r of res) {
      expect(connectionErrors(r), JSON.stringify(connectionErrors(r).slice(0, 5))).toEqual([]);
      // the page was served for a while: some 503s, the rest answered by the app
      expect(r.errors.every((e) => e.status === 503)).toBe(true);
      expect(r.ok).toBeGreaterThan(10);
    }
    expect(
      history('lb2')
        .filter((e) => e.action === 'maintenance')
        .map((e) => e.change),
    ).toEqual(['on demo', 'off demo']);
  });

  it('maintenance on survives a haproxy reload (kept in the server-state file)', async () => {
    const on = await run('maintenance', 'on', 'demo');
    expect(on.code, on.stdout + on.stderr).toBe(0);
    const lb = fleet.host('lb1');
    const reload =
      'haproxy -D -f /etc/haproxy/haproxy.cfg -p /run/haproxy.pid -x /run/haproxy/admin.sock -sf $(cat /run/haproxy.pid)';
    const r = await fleet.exec(lb, reload);
    expect(r.code, r.stderr).toBe(0);
    await waitFor(async () => (await fetch(url('lb1'))).status === 503, {
      timeoutMs: 10_000,
      what: 'the page after reload',
    });
    const off = await run('maintenance', 'off', 'demo');
    expect(off.code, off.stdout + off.stderr).toBe(0);
    expect((await fetch(url('lb1'))).status).toBe(200);
  });

  it('deploy --dry-run with the gate plans the two looks at show stat per batch', async () => {
    const args = [
      'deploy',
      'demo',
      '--tag',
      'v1.1.0-errors',
      '--batch',
      '1',
      '--max-error-rate',
      '1%',
      '--watch',
      '3s',
    ];
    const r = await run('--dry-run', '-v', ...args);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\[web2\] +\$ haproxy \/run\/haproxy\/admin\.sock: show stat demo 4 -1/);
    expect(r.stdout).toMatch(/^\[web2\] error-rate gate: 3 s window, 5xx share of web2 ≤ 1\.00%/m);
  });

  it('a release answering 500 to 5%: --max-error-rate 1% stops after the first batch and reverts it, exit 1', async () => {
    const before = APPS.map(current);
    const json = join(proj.dir, 'gate-report.json');
    let out = '';
    await underLoad(async () => {
      const r = await run(
        '--json',
        json,
        'deploy',
        'demo',
        '--tag',
        'v1.1.0-errors',
        '--batch',
        '1',
        '--max-error-rate',
        '1%',
        '--watch',
        '5s',
      );
      out = r.stdout + r.stderr;
      expect(r.code, out).toBe(1);
    });
    expect(out).toMatch(/error-rate gate, batch 1\/3: FAILED: web1 \d+\.\d+% 5xx \(\d+ of \d+ responses\)/);
    expect(out).toMatch(/\[web1\] FAILED: switched back to demo-v1\.0\.0-.*error-rate gate stopped the rollout/);
    expect(out).toMatch(/\[web2\] untouched/);
    expect(out).toMatch(/\[web3\] untouched/);
    expect(APPS.map(current)).toEqual(before);
    const report = JSON.parse(readFileSync(json, 'utf8')) as {
      hosts: Array<{
        host: string;
        result?: { errorGate?: { ok: boolean; servers: Record<string, { share: number; responses: number }> } };
      }>;
    };
    const gate = report.hosts.find((h) => h.host === 'web1')?.result?.errorGate;
    expect(gate?.ok).toBe(false);
    const web1 = gate?.servers.web1;
    expect(web1?.responses).toBeGreaterThanOrEqual(100);
    expect(web1?.share).toBeGreaterThan(0.03);
    expect(web1?.share).toBeLessThan(0.08);
    expect(history('web1').at(-1)).toMatchObject({ action: 'deploy', result: 'rolled-back' });
    expect(String(history('web1').at(-1)?.error)).toMatch(/5xx/);
    for (const h of ['web2', 'web3']) expect(history(h).at(-1)).toMatchObject({ result: 'staged-only' });
    for (const h of APPS) expect(await everywhere(h, (r) => r.state === 'UP'), h).toBe(true);
  });

  it('the control: the same release with the gate off rolls through', async () => {
    const r = await run('deploy', 'demo', '--tag', 'v1.1.0-errors', '--batch', '1');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const h of APPS) expect(current(h)).toMatch(/^demo-v1\.1\.0-errors-/);
  });

  it('restart with the gate on and --watch 0: not one extra round trip', async () => {
    const json = join(proj.dir, 'restart-watch0.json');
    const r = await run('--json', json, 'restart', 'demo', '--batch', '1', '--max-error-rate', '1%', '--watch', '0');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).not.toContain('error-rate gate');
    const report = JSON.parse(readFileSync(json, 'utf8')) as { hosts: Array<{ steps: Array<{ id: string }> }> };
    const ids = report.hosts.flatMap((h) => h.steps.map((s) => s.id));
    expect(ids.filter((id) => id.startsWith('error-gate'))).toEqual([]);
    expect(ids.filter((id) => id === 'haproxy-stat')).toHaveLength(2 * APPS.length * LBS.length);
  });

  it('restart of the erroring release with the gate: the first batch is drained and left in maint, exit 1', async () => {
    let out = '';
    await underLoad(async () => {
      const r = await run('restart', 'demo', '--batch', '1', '--max-error-rate', '1%', '--watch', '5s');
      out = r.stdout + r.stderr;
      expect(r.code, out).toBe(1);
    });
    expect(out).toMatch(
      /\[web1\] FAILED: the error-rate gate stopped the rollout: web1 .* — drained and left in maint/,
    );
    expect(out).toMatch(/\[web2\] untouched/);
    expect(await everywhere('web1', (r) => r.state === 'MAINT')).toBe(true);
    for (const h of ['web2', 'web3']) expect(await everywhere(h, (r) => r.state === 'UP'), h).toBe(true);
    expect(history('web1').at(-1)).toMatchObject({ action: 'restart', result: 'failed' });
  });
});
