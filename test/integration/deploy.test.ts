import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { readFile, rm, writeFile, mkdir, readdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../fleet/fleet.js';
import { ferry, fleetFlags, startFerry, FERRY_BIN } from '../helpers/ferry-cli.js';
import { waitFor } from '../helpers/wait-for.js';
import { fleetSkipReason } from '../helpers/skip.js';
import { makeDemoProject, DEMO_ATTRS, type DemoProject } from '../helpers/demo-project.js';
import { checkCurrent } from '../helpers/release-check.js';

const skip = fleetSkipReason();

interface Report {
  hosts: Array<{
    host: string;
    status: string;
    channels: number;
    exitCode?: number | null;
    error?: { message: string };
    result?: Record<string, unknown>;
    steps: Array<{ id: string; command: string; stderr: string; stdout: string }>;
  }>;
}

describe.skipIf(skip)('deploy by revision tag on a 5-host fleet', () => {
  let fleet: Fleet;
  let proj: DemoProject;
  let flags: string[];
  let n = 0;
  const json = () => join(proj.dir, `.r${++n}.json`);
  const report = async (file: string): Promise<Report> => JSON.parse(await readFile(file, 'utf8')) as Report;
  const run = (...args: string[]) => ferry(['--project', proj.dir, ...flags, ...args], { timeoutMs: 240_000 });
  const current = (h: { root: string }) => readlinkSync(join(h.root, 'srv/demo/current')).replace('releases/', '');
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    fleet = await startFleet({ hosts: 5, extraInventory: { defaults: DEMO_ATTRS } });
    proj = await makeDemoProject(readFileSync(fleet.inventoryFile, 'utf8'));
    flags = fleetFlags({ ...fleet, inventoryFile: join(proj.dir, 'inventory.yaml') });
    proj.tag('v1.0.0');
    await proj.setVersion('1.1.0');
    proj.tag('v1.1.0');
  }, 300_000);
  afterAll(async () => {
    await fleet?.stop();
  });

  it('deploys v1.0.0, then v1.1.0, then rolls back: current, configs and history follow', async () => {
    const f1 = json();
    const r1 = await run('--json', f1, 'deploy', 'demo', '--tag', 'v1.0.0', '--roles', 'app');
    expect(r1.code, r1.stdout + r1.stderr).toBe(0);
    ids.v1 = current(fleet.hosts[0]!);
    expect(ids.v1).toMatch(/^demo-v1\.0\.0-[0-9a-f]{7}-[0-9a-f]{8}$/);
    const rep1 = await report(f1);
    // the demo's migration (its run-once step) is one more exec, on one host only
    const once = (h: Report['hosts'][number]) => h.steps.filter((s) => s.id.startsWith('once:')).length;
    expect(rep1.hosts.map(once).reduce((a, b) => a + b)).toBe(1);
    for (const h of rep1.hosts) expect(h.channels, `${h.host} channels`).toBeLessThanOrEqual(6 + once(h));
    const r2 = await run('deploy', 'demo', '--tag', 'v1.1.0', '--roles', 'app');
    expect(r2.code, r2.stdout + r2.stderr).toBe(0);
    ids.v2 = current(fleet.hosts[0]!);
    expect(ids.v2).toMatch(/^demo-v1\.1\.0-/);
    for (const h of fleet.hosts) {
      expect(current(h)).toBe(ids.v2);
      expect(checkCurrent(h.root, 'demo').complete).toBe(true);
      // the nginx site is a link into current/config, rendered for this host
      const site = await fleet.exec(
        h,
        'readlink -f /etc/nginx/sites-enabled/demo.conf && cat /etc/nginx/sites-enabled/demo.conf',
      );
      expect(site.stdout).toMatch(new RegExp(`/srv/demo/releases/${ids.v2}/configs/[0-9a-f]{16}/nginx/demo\\.conf`));
      expect(site.stdout).toContain(`listen ${h.address}:${DEMO_ATTRS.http_port}`);
      const answer = await fleet.exec(
        h,
        `for i in $(seq 1 50); do curl -fsS http://${h.address}:${DEMO_ATTRS.http_port}/ && break; sleep 0.2; done`,
      );
      expect(answer.stdout).toContain('1.1.0');
    }
    const r3 = await run('rollback', 'demo', '--roles', 'app');
    expect(r3.code, r3.stdout + r3.stderr).toBe(0);
    for (const h of fleet.hosts) {
      expect(current(h)).toBe(ids.v1);
      const history = readFileSync(join(h.root, 'srv/demo/.ferry/history.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, string>);
      expect(history.map((x) => `${x.action}:${x.result}:${x.to}`)).toEqual([
        `deploy:ok:${ids.v1}`,
        `deploy:ok:${ids.v2}`,
        `rollback:ok:${ids.v1}`,
      ]);
      expect(history[1]).toMatchObject({ from: ids.v1, tag: 'v1.1.0', bundle: 'demo' });
      expect(history[2]).toMatchObject({ from: ids.v2 });
    }
    const rel = await run('releases', 'demo', '--roles', 'app');
    expect(rel.code).toBe(0);
    expect(rel.stdout).toContain(`all 5 host(s) on ${ids.v1}`);
  }, 300_000);

  it('a redeploy of the current tag uploads 0 bytes and changes nothing', async () => {
    const before = fleet.hosts.map(current);
    const f = json();
    const r = await run('--json', f, 'deploy', 'demo', '--tag', 'v1.0.0', '--roles', 'app');
    expect(r.code, r.stdout).toBe(0);
    const rep = await report(f);
    for (const h of rep.hosts) {
      expect(h.result?.uploadedBytes, h.host).toBe(0);
      // one round trip: the host sees it already runs this release and configs, takes no lock
      expect(h.steps.map((s) => s.id)).toEqual(['probe']);
      expect(h.channels).toBe(1);
    }
    expect(fleet.hosts.map(current)).toEqual(before);
    for (const h of fleet.hosts) {
      const last = readFileSync(join(h.root, 'srv/demo/.ferry/history.jsonl'), 'utf8').trim().split('\n').pop() ?? '';
      expect(JSON.parse(last)).toMatchObject({ action: 'deploy', result: 'unchanged', from: before[0], to: before[0] });
      expect(existsSync(join(h.root, 'srv/demo/.ferry/lock'))).toBe(false);
    }
  });

  it('detects a corrupted cached artifact by sha256 and uploads it again', async () => {
    const h = fleet.hosts[1]!;
    const cacheDir = join(h.root, 'srv/demo/.ferry/bundles');
    // v1.1.0 is staged everywhere; remove its release dir on h2 and corrupt the cached artifact
    await rm(join(h.root, 'srv/demo/releases', ids.v2!), { recursive: true, force: true });
    const [file] = (await readdir(cacheDir)).filter(
      (f) =>
        f.endsWith('.tar.gz') &&
        readFileSync(join(h.root, 'srv/demo/releases', ids.v1!, '.ferry-sha256'), 'utf8').trim() !==
          f.replace('.tar.gz', ''),
    );
    expect(file).toBeDefined();
    await writeFile(join(cacheDir, file!), 'garbage');
    const f = json();
    const r = await run('--json', f, 'deploy', 'demo', '--tag', 'v1.1.0', '--roles', 'app');
    expect(r.code, r.stdout).toBe(0);
    const rep = await report(f);
    const mine = rep.hosts.find((x) => x.host === h.name);
    expect(mine?.result?.uploadedBytes).toBeGreaterThan(1000);
    for (const o of rep.hosts.filter((x) => x.host !== h.name)) expect(o.result?.uploadedBytes).toBe(0);
    expect(checkCurrent(h.root, 'demo')).toMatchObject({ current: ids.v2, complete: true });
  });

  it('an invalid nginx config on one host: nothing switched anywhere, exit 1, report names host and validator output', async () => {
    const before = fleet.hosts.map(current);
    const inv = readFileSync(join(proj.dir, 'inventory.yaml'), 'utf8');
    const doc = parseYaml(inv) as { hosts: Record<string, { attrs?: Record<string, unknown> }> };
    doc.hosts.h3!.attrs = { ...doc.hosts.h3!.attrs, http_port: 'not-a-port' };
    const bad = stringifyYaml(doc);
    const invFile = join(proj.dir, 'inventory-bad.yaml');
    await writeFile(invFile, bad);
    const f = json();
    const r = await ferry([
      '--project',
      proj.dir,
      ...flags,
      '--inventory',
      invFile,
      '--json',
      f,
      'deploy',
      'demo',
      '--tag',
      'v1.0.0',
      '--roles',
      'app',
    ]);
    expect(r.code).toBe(1);
    expect(fleet.hosts.map(current)).toEqual(before);
    const rep = await report(f);
    const h3 = rep.hosts.find((x) => x.host === 'h3');
    expect(h3?.status).toBe('failed');
    expect(h3?.error?.message).toMatch(/nginx|emerg|invalid/i);
    expect(h3?.exitCode).toBe(1);
    expect(r.stdout).toMatch(/\[h3\] FAILED/);
    for (const h of fleet.hosts) expect(existsSync(join(h.root, 'srv/demo/.ferry/lock'))).toBe(false);
  });

  it('a second concurrent deploy exits 4 naming the owner; a stale lock is reported and only unlock clears it', async () => {
    const h = fleet.hosts[0]!;
    const lock = join(h.root, 'srv/demo/.ferry/lock');
    await mkdir(lock, { recursive: true });
    const owner = {
      user: 'alice',
      host: hostname(),
      pid: 2 ** 22 + 12345,
      started: new Date().toISOString(),
      command: 'ferry deploy demo --tag v9',
      runId: 'x',
    };
    await writeFile(join(lock, 'owner.json'), JSON.stringify(owner));
    const r = await run('deploy', 'demo', '--tag', 'v1.0.0', '--roles', 'app');
    expect(r.code).toBe(4);
    expect(r.stdout + r.stderr).toMatch(/held by alice@.*pid 4206649.*STALE/);
    expect(existsSync(lock)).toBe(true);
    const u = await run('unlock', 'demo', '--hosts', h.name);
    expect(u.code, u.stdout).toBe(0);
    expect(u.stdout).toContain('lock held by alice@');
    expect(existsSync(lock)).toBe(false);
    // a live concurrent deploy: the second one is refused while the first holds the lock
    await proj.setVersion('1.2.0');
    proj.tag('v1.2.0');
    const first = run('deploy', 'demo', '--tag', 'v1.2.0', '--roles', 'app');
    await waitFor(() => existsSync(lock), { timeoutMs: 30_000, what: 'the first deploy to take the lock' });
    const second = await run('deploy', 'demo', '--tag', 'v1.0.0', '--roles', 'app');
    expect(second.code).toBe(4);
    expect(second.stdout + second.stderr).toMatch(/held by .*ferry .*deploy demo --tag v1\.2\.0/);
    const firstR = await first;
    expect(firstR.code, firstR.stdout).toBe(0);
    // a lock held by a live foreign deploy: without --lock-wait the deploy is refused at once
    await mkdir(lock, { recursive: true });
    await writeFile(join(lock, 'owner.json'), JSON.stringify({ ...owner, pid: process.pid }));
    const before = fleet.hosts.map(current);
    expect(before.every((c) => c.startsWith('demo-v1.2.0-'))).toBe(true);
    const refused = await run('deploy', 'demo', '--tag', 'v1.0.0', '--roles', 'app');
    expect(refused.code).toBe(4);
    expect(refused.stdout + refused.stderr).toMatch(/held by alice@/);
    expect(refused.stdout + refused.stderr).not.toMatch(/waiting for lock|STALE/);
    // --lock-wait: the same deploy waits, probing again while the lock stays held, and switches nothing
    const deployArgs = ['deploy', 'demo', '--tag', 'v1.0.0', '--roles', 'app', '--lock-wait', '60'];
    const waiting = startFerry(['--project', proj.dir, ...flags, ...deployArgs], { timeoutMs: 240_000 });
    const waitLine = new RegExp(`\\[${h.name}\\] waiting for lock held by alice@`, 'g');
    const waits = () => waiting.output().match(waitLine)?.length ?? 0;
    await waitFor(
      () => {
        if (waiting.exited())
          throw new Error(`--lock-wait deploy exited while the lock was held:\n${waiting.output()}`);
        return waits() >= 2; // it saw the lock held, waited, probed again and is still waiting
      },
      { timeoutMs: 30_000, what: 'the --lock-wait deploy to wait for the lock twice' },
    );
    expect(waiting.exited()).toBe(false);
    expect(JSON.parse(readFileSync(join(lock, 'owner.json'), 'utf8'))).toMatchObject({ user: 'alice', runId: 'x' });
    expect(fleet.hosts.map(current)).toEqual(before);
    // released: the waiting deploy goes ahead and switches every host
    await rm(lock, { recursive: true, force: true });
    const waited = await waiting.done;
    expect(waited.code, waited.stdout + waited.stderr).toBe(0);
    expect(fleet.hosts.map(current).every((c) => c.startsWith('demo-v1.0.0-'))).toBe(true);
    expect(existsSync(lock)).toBe(false);
  });

  it('--dry-run changes nothing on any host', async () => {
    const snap = () =>
      fleet.hosts.map(
        (h) =>
          `${current(h)} ${readdirSyncSorted(join(h.root, 'srv/demo/releases'))} ${readFileSync(join(h.root, 'srv/demo/.ferry/history.jsonl'), 'utf8').length}`,
      );
    const before = snap();
    const r = await run('--dry-run', 'deploy', 'demo', '--tag', 'v1.1.0', '--roles', 'app');
    expect(r.code, r.stdout).toBe(0);
    // the plan people read: the switch from → to per host, no raw shell (that is -v), nothing "done"
    for (const h of fleet.hosts) expect(r.stdout).toContain(`[${h.name}] switch ${current(h)} → ${ids.v2}`);
    expect(r.stdout).not.toMatch(/mv -Tf/);
    expect(r.stdout + r.stderr).not.toMatch(/\bdone\b/);
    const v = await run('--dry-run', '-v', 'deploy', 'demo', '--tag', 'v1.1.0', '--roles', 'app');
    expect(v.code, v.stdout).toBe(0);
    expect(v.stdout).toMatch(/\$ .*mv -Tf .*current/);
    expect(snap()).toEqual(before);
  });

  it('survives kill -9 at 20+ random moments: every host keeps a complete current, the next deploy succeeds', async () => {
    const trials = Number(process.env.FERRY_KILL_TRIALS ?? 20);
    let broken = 0;
    const tags = ['v1.0.0', 'v1.1.0', 'v1.2.0'];
    for (let t = 0; t < trials; t++) {
      // make work for the deploy on some hosts: drop cached artifacts and non-current releases
      for (const h of fleet.hosts) {
        if (Math.random() < 0.5) await rm(join(h.root, 'srv/demo/.ferry/bundles'), { recursive: true, force: true });
        const cur = current(h);
        for (const d of readdirSyncSorted(join(h.root, 'srv/demo/releases')).split(','))
          if (d && d !== cur && Math.random() < 0.5)
            await rm(join(h.root, 'srv/demo/releases', d), { recursive: true, force: true });
      }
      const child = spawn(
        process.execPath,
        [FERRY_BIN, '--project', proj.dir, ...flags, 'deploy', 'demo', '--tag', tags[t % 3]!, '--roles', 'app'],
        { stdio: 'ignore', env: { ...process.env, CI: '1' } },
      );
      const exited = new Promise((res) => child.on('close', res));
      await new Promise((res) => setTimeout(res, 300 + Math.random() * 2500));
      child.kill('SIGKILL');
      await exited;
      for (const h of fleet.hosts) {
        const c = checkCurrent(h.root, 'demo');
        if (!c.complete) {
          broken++;
          console.error(`trial ${t}: ${h.name} broken: ${c.problems.slice(0, 3).join('; ')}`);
        }
      }
      const u = await run('unlock', 'demo', '--roles', 'app');
      expect(u.code).toBe(0);
    }
    console.log(`kill -9 trials: ${trials}, broken hosts: ${broken}`);
    expect(broken).toBe(0);
    const r = await run('deploy', 'demo', '--tag', 'v1.1.0', '--roles', 'app');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const h of fleet.hosts)
      expect(checkCurrent(h.root, 'demo')).toMatchObject({ current: ids.v2, complete: true });
  }, 600_000);
});

function readdirSyncSorted(dir: string): string {
  try {
    return readdirSync(dir).sort().join(',');
  } catch {
    return '';
  }
}
