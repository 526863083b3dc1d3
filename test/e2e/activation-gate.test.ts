import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet, type FleetHost } from '../fleet/fleet.js';
import { ferry, fleetFlags } from '../helpers/ferry-cli.js';
import { fleetSkipReason } from '../helpers/skip.js';
import { makeDemoProject, DEMO_ATTRS, type DemoProject } from '../helpers/demo-project.js';
import { parseShowStat, findServerStat } from '../../src/ops/haproxy/runtime.js';

const skip = fleetSkipReason();
const APPS = ['web1', 'web2', 'web3'];
const ALL = ['lb1', ...APPS];

interface Report {
  hosts: Array<{ host: string; status: string; channels: number; steps: Array<{ id: string; status: string }> }>;
}

/**
 * Every activation is health-gated (issue 12, parts 1 and 4): a plain deploy (no --batch) of a
 * release that fails its health check, or whose program crashes at start, leaves no host on it;
 * the error says what the program did; history names the release that failed.
 */
describe.skipIf(skip)('the health gate on every activation, against real supervisord, nginx and HAProxy', () => {
  let fleet: Fleet;
  let proj: DemoProject;
  let flags: string[];
  let n = 0;
  const json = () => join(proj.dir, `.gate${++n}.json`);
  const run = (...args: string[]) => ferry(['--project', proj.dir, ...flags, ...args], { timeoutMs: 300_000 });
  const host = (name: string) => fleet.host(name);
  const current = (name: string) => readlinkSync(join(host(name).root, 'srv/demo/current')).replace('releases/', '');
  const idOf = (tag: string) => {
    const ids = readdirSync(join(host('web1').root, 'srv/demo/releases')).filter((d) => d.startsWith(`demo-${tag}-`));
    expect(ids, `one release for ${tag}`).toHaveLength(1);
    return ids[0] ?? '';
  };
  /** How many times supervisord on a host started the demo program. */
  const spawns = (name: string) => {
    const log = readFileSync(join(host(name).root, 'var/log/supervisor/supervisord.log'), 'utf8');
    return log.split("spawned: 'demo' ").length - 1;
  };
  /** current, previous and where every service config link ends, per host */
  const snapshot = async () =>
    Promise.all(
      ALL.map(async (name) => {
        const links =
          name === 'lb1'
            ? '/etc/haproxy/haproxy.cfg'
            : '/etc/nginx/sites-enabled/demo.conf /etc/supervisor/conf.d/demo.conf';
        const r = await fleet.exec(host(name), `readlink /srv/demo/current /srv/demo/previous && readlink -f ${links}`);
        return `${name}: ${r.stdout.trim().split('\n').join(' ')}`;
      }),
    );
  const lastHistory = (name: string) => {
    const lines = readFileSync(join(host(name).root, 'srv/demo/.ferry/history.jsonl'), 'utf8')
      .trim()
      .split('\n');
    return JSON.parse(lines.at(-1) ?? '{}') as Record<string, string>;
  };
  const version = async (h: FleetHost) =>
    (await fleet.exec(h, `curl -fsS http://${h.address}:${DEMO_ATTRS.http_port}/`)).stdout;
  const stat = async () => {
    const r = await fleet.exec(host('lb1'), `printf 'show stat\\n' | socat - UNIX-CONNECT:/run/haproxy/admin.sock`);
    return parseShowStat(r.stdout);
  };
  const server = () => join(proj.dir, 'bundles/demo/app/server.js');

  beforeAll(async () => {
    fleet = await startFleet({
      hosts: [{ name: 'lb1', roles: ['lb'] }, ...APPS.map((name) => ({ name, roles: ['app'] }))],
      extraInventory: { defaults: DEMO_ATTRS },
    });
    proj = await makeDemoProject(readFileSync(fleet.inventoryFile, 'utf8'));
    flags = fleetFlags({ ...fleet, inventoryFile: join(proj.dir, 'inventory.yaml') });
    proj.tag('v1.0.0');
    // v1.1.0 changes the program's supervisor config: supervisord applies it with `update`
    await proj.setVersion('1.1.0');
    const tpl = join(proj.dir, 'bundles/demo/templates/supervisor.conf.liquid');
    await writeFile(
      tpl,
      (await readFile(tpl, 'utf8')).replace('NODE_ENV="production"', 'NODE_ENV="production",FLAVOR="b"'),
    );
    proj.tag('v1.1.0');
    const good = await readFile(server(), 'utf8');
    // v1.2.0-404: starts, but /check.html answers 404
    await proj.setVersion('1.2.0');
    await writeFile(server(), good.replace("'/check.html'", "'/check.html-broken'"));
    proj.tag('v1.2.0-404');
    // v1.3.0-crash: exits at start, saying why on stderr
    await proj.setVersion('1.3.0');
    await writeFile(
      server(),
      good.replace(
        'const pkg = JSON.parse',
        "process.stderr.write('demo: cannot start: DEMO_SECRET is not set\\n');\nprocess.exit(3);\nconst pkg = JSON.parse",
      ),
    );
    proj.tag('v1.3.0-crash');
    // v1.4.0-web2: healthy everywhere but on web2
    await proj.setVersion('1.4.0');
    await writeFile(
      server(),
      good.replace(
        "url.pathname === '/check.html'",
        "url.pathname === '/check.html' && process.env.FERRY_HOST !== 'web2'",
      ),
    );
    proj.tag('v1.4.0-web2');
    const first = await run('deploy', 'demo', '--tag', 'v1.0.0');
    expect(first.code, first.stdout + first.stderr).toBe(0);
  }, 400_000);
  afterAll(async () => {
    await fleet?.stop();
  });

  it('a healthy plain deploy exits 0: every app host gated once, the program started once', async () => {
    const before = APPS.map(spawns);
    const f = json();
    const r = await run('--json', f, 'deploy', 'demo', '--tag', 'v1.1.0');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const v11 = idOf('v1.1.0');
    for (const name of ALL) expect(current(name)).toBe(v11);
    // a changed program config: `update` starts it, no `restart` after it (that was a second start)
    expect(APPS.map(spawns)).toEqual(before.map((x) => x + 1));
    const rep = JSON.parse(await readFile(f, 'utf8')) as Report;
    for (const h of rep.hosts) {
      const gates = h.steps.filter((s) => s.id === 'health');
      expect(
        gates.map((g) => g.status),
        h.host,
      ).toEqual(h.host === 'lb1' ? [] : ['ok']);
    }
    for (const name of APPS) expect(await version(host(name))).toContain('"version":"1.1.0"');
    // a no-op redeploy is not switched, so not gated: one round trip per host
    const g = json();
    const again = await run('--json', g, 'deploy', 'demo', '--tag', 'v1.1.0');
    expect(again.code, again.stdout + again.stderr).toBe(0);
    for (const h of (JSON.parse(await readFile(g, 'utf8')) as Report).hosts) {
      expect(
        h.steps.map((s) => s.id),
        h.host,
      ).toEqual(['probe']);
      expect(h.channels).toBe(1);
    }
  });

  it('--dry-run of a plain deploy shows the health gate as a planned step', async () => {
    const r = await run('--dry-run', 'deploy', 'demo', '--tag', 'v1.2.0-404');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const web1 = host('web1');
    expect(r.stdout).toContain(
      `[web1] health gate: GET http://${web1.address}:${DEMO_ATTRS.app_port}/check.html answers 2xx`,
    );
    expect(r.stdout).not.toMatch(/\[lb1\] health gate/);
  });

  for (const batch of [[], ['--batch', '1']]) {
    const how = batch.length ? 'with --batch 1' : 'plain';

    it(`${how}: a release whose /check.html fails leaves no host on it, exit 1, the error shows the program's state`, async () => {
      const before = await snapshot();
      const v11 = idOf('v1.1.0');
      const spawned = APPS.map(spawns);
      const r = await run('deploy', 'demo', '--tag', 'v1.2.0-404', '--health-timeout', '3s', ...batch);
      const out = r.stdout + r.stderr;
      expect(r.code, out).toBe(1);
      const bad = idOf('v1.2.0-404');
      expect(await snapshot()).toEqual(before);
      for (const name of ALL) expect(current(name)).toBe(v11);
      expect(out).toMatch(
        /\[web1\] FAILED: health gate: .*\/check\.html not healthy within 3000 ms \(last: HTTP 404\)/,
      );
      expect(out).toContain(`switched back to ${v11}`);
      expect(out).toMatch(/supervisor: demo RUNNING \(pid \d+/);
      expect(out).toMatch(/demo stderr: \(empty\)|demo stderr \(last/);
      // lb1 passed (no program, no gate) and was switched back once the activation stopped
      expect(out).toMatch(/\[lb1\] FAILED: switched back to .*: the activation stopped/);
      if (batch.length) {
        expect(out).toMatch(/\[web2\] untouched/);
        expect(out).toMatch(/\[web3\] untouched/);
        // web1 went up and back: two starts of the program; the others none
        expect(APPS.map(spawns)).toEqual([(spawned[0] ?? 0) + 2, spawned[1], spawned[2]]);
        const rows = await stat();
        for (const a of APPS) expect(findServerStat(rows, 'demo', a)?.state, a).toBe('UP');
      } else {
        expect(APPS.map(spawns)).toEqual(spawned.map((x) => x + 2));
      }
      for (const name of APPS) expect(await version(host(name))).toContain('"version":"1.1.0"');
      // history names the release that failed, and ferry releases says where the host stayed
      expect(lastHistory('web1')).toMatchObject({ action: 'deploy', from: v11, to: bad, result: 'rolled-back' });
      expect(lastHistory('web1').error).toContain('health gate');
      const rel = await run('releases', 'demo');
      expect(rel.stdout).toContain(`deploy rolled-back ${bad} (switched back to ${v11})`);
      expect(rel.stdout).toContain(`all 4 host(s) on ${v11}`);
    });

    it(`${how}: a release whose program crashes at start: no host left on it, the error shows FATAL and its stderr`, async () => {
      const before = await snapshot();
      const v11 = idOf('v1.1.0');
      const r = await run('deploy', 'demo', '--tag', 'v1.3.0-crash', '--health-timeout', '3s', ...batch);
      const out = r.stdout + r.stderr;
      expect(r.code, out).toBe(1);
      expect(await snapshot()).toEqual(before);
      expect(out).toMatch(
        /\[web1\] FAILED.*switch current → releases\/demo-v1\.3\.0-crash-\S+ \+ reload failed \(exit 7\)/,
      );
      expect(out).toMatch(/supervisor: demo (FATAL|BACKOFF)/);
      expect(out).toContain('demo: cannot start: DEMO_SECRET is not set');
      expect(out).not.toMatch(/signal process started/);
      for (const name of APPS) expect(await version(host(name))).toContain('"version":"1.1.0"');
      expect(lastHistory('web1')).toMatchObject({ to: idOf('v1.3.0-crash'), from: v11, result: 'rolled-back' });
      if (batch.length) {
        expect(lastHistory('web2')).toMatchObject({ to: idOf('v1.3.0-crash'), from: v11, result: 'staged-only' });
        const rows = await stat();
        for (const a of APPS) expect(findServerStat(rows, 'demo', a)?.state, a).toBe('UP');
      }
    });
  }

  it('a release that fails on one host only: every host this run switched goes back, plain and --batch 1', async () => {
    const before = await snapshot();
    const v11 = idOf('v1.1.0');
    const plain = await run('deploy', 'demo', '--tag', 'v1.4.0-web2', '--health-timeout', '3s');
    expect(plain.code, plain.stdout + plain.stderr).toBe(1);
    expect(await snapshot()).toEqual(before);
    expect(plain.stdout).toMatch(
      /\[web1\] FAILED: switched back to .*: the activation stopped: 1 host\(s\) failed \(web2\)/,
    );
    const bad = idOf('v1.4.0-web2');
    expect(lastHistory('web1')).toMatchObject({ to: bad, result: 'rolled-back' });
    // --batch 1: web1 passed and is switched back (drained) when web2 fails; web3 never reached
    const rolled = await run('deploy', 'demo', '--tag', 'v1.4.0-web2', '--health-timeout', '3s', '--batch', '1');
    expect(rolled.code, rolled.stdout + rolled.stderr).toBe(1);
    expect(await snapshot()).toEqual(before);
    expect(rolled.stdout).toMatch(/== revert 1\/1: web1 ==/);
    expect(rolled.stdout).toMatch(/\[web3\] untouched/);
    const rows = await stat();
    for (const a of APPS) expect(findServerStat(rows, 'demo', a)?.state, a).toBe('UP');
    // within --max-fail: the failing host goes back, the others keep the release, still exit 1
    const budget = await run('deploy', 'demo', '--tag', 'v1.4.0-web2', '--health-timeout', '3s', '--max-fail', '1');
    expect(budget.code, budget.stdout + budget.stderr).toBe(1);
    expect(ALL.map(current)).toEqual([bad, bad, v11, bad]);
    expect(lastHistory('web2')).toMatchObject({ to: bad, result: 'rolled-back' });
    expect(lastHistory('web1')).toMatchObject({ to: bad, result: 'ok' });
    const back = await run('deploy', 'demo', '--tag', 'v1.1.0');
    expect(back.code, back.stdout + back.stderr).toBe(0);
  });
});
