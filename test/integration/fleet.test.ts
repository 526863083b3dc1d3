import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { listeningEndpoints } from '../fleet/address-block.js';
import { readBanner } from '../fleet/banner.js';
import {
  canRunFleet,
  FERRYTEST_PASSWORD,
  FERRYTEST_USER,
  knownHostsName,
  reapStaleFleets,
  writeHashedKnownHosts,
  startFleet,
  type Fleet,
  type FleetHost,
} from '../fleet/fleet.js';

const can = canRunFleet();
if (!can.ok) console.log(`skipping fleet integration tests: ${can.reason}`);

/** Every pid whose mount namespace is one of the fleet's hosts'. */
function processesOf(fleet: Pick<Fleet, 'hosts'>): number[] {
  const namespaces = new Set(fleet.hosts.map((h) => h.mountNamespace));
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (namespaces.has(readlinkSync(`/proc/${entry}/ns/mnt`))) pids.push(Number(entry));
    } catch {
      // gone, or a zombie
    }
  }
  return pids;
}

/** Every live process whose command line mentions the fleet dir (the sshd listeners do: `-f <dir>/hosts/…`). */
function processesMentioning(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(`${dir}/`)) pids.push(Number(entry));
    } catch {
      // gone
    }
  }
  return pids;
}

function ssh(args: string[], input?: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync('ssh', args, { encoding: 'utf8', input: input ?? '', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!can.ok)('test fleet: 5 hosts', () => {
  let fleet: Fleet;
  let web1: FleetHost;
  let web2: FleetHost;
  let lb1: FleetHost;

  beforeAll(async () => {
    const started = Date.now();
    fleet = await startFleet({
      hosts: [
        { name: 'lb1', roles: ['lb'] },
        { name: 'web1', roles: ['app'], attrs: { weight: 100 } },
        { name: 'web2', roles: ['app'] },
        { name: 'web3', roles: ['app'] },
        { name: 'web4', roles: ['app'] },
      ],
      extraInventory: {
        defaults: { health_url: '/check.html' },
        roles: { lb: { attrs: { haproxy_socket: '/run/haproxy/admin.sock' } } },
      },
    });
    console.log(`fleet of 5 started in ${Date.now() - started} ms (${fleet.dir})`);
    web1 = fleet.host('web1');
    web2 = fleet.host('web2');
    lb1 = fleet.host('lb1');
  });

  afterAll(async () => {
    await fleet?.stop();
  });

  it('gives every host its own loopback address and writes an inventory ferry can read', () => {
    const addresses = fleet.hosts.map((h) => h.address);
    expect(new Set(addresses).size).toBe(5);
    for (const a of addresses) expect(a).toMatch(/^127\.\d+\.\d+\.\d+$/);
    const inventory = parse(readFileSync(fleet.inventoryFile, 'utf8')) as {
      defaults: Record<string, unknown>;
      roles: Record<string, { attrs: Record<string, unknown> }>;
      hosts: Record<
        string,
        { address: string; port: number; user: string; roles: string[]; attrs: Record<string, unknown> }
      >;
    };
    expect(inventory.defaults).toEqual({ app_port: 8000, health_url: '/check.html' });
    expect(inventory.roles).toEqual({
      lb: { attrs: { haproxy_socket: '/run/haproxy/admin.sock' } },
      app: { attrs: {} },
    });
    expect(Object.keys(inventory.hosts)).toEqual(['lb1', 'web1', 'web2', 'web3', 'web4']);
    expect(inventory.hosts.web1).toEqual({
      address: web1.address,
      port: 2222,
      user: 'root',
      roles: ['app'],
      attrs: { weight: 100 },
    });
    expect(inventory.hosts.lb1?.roles).toEqual(['lb']);
  });

  it('keeps /srv private per host and visible from the control machine at <root>/srv', async () => {
    const marker = `marker-${process.pid}-${Date.now()}`;
    const wrote = await fleet.exec(web1, `echo hello-from-web1 > /srv/${marker} && cat /srv/${marker}`);
    expect(wrote).toMatchObject({ code: 0, stdout: 'hello-from-web1\n' });
    const other = await fleet.exec(web2, `test -e /srv/${marker} && echo present || echo absent`);
    expect(other.stdout).toBe('absent\n');
    expect(readFileSync(join(web1.root, 'srv', marker), 'utf8')).toBe('hello-from-web1\n');
    expect(existsSync(join(web2.root, 'srv', marker))).toBe(false);
    expect(existsSync(join('/srv', marker))).toBe(false);
    // and the other way: the control machine corrupts a host's file
    writeFileSync(join(web2.root, 'srv', marker), 'planted\n');
    expect((await fleet.exec(web2, `cat /srv/${marker}`)).stdout).toBe('planted\n');
  });

  it('privatizes /etc/nginx, /run and /tmp too, seeded with working stock configs', async () => {
    await fleet.exec(web1, 'echo web1 > /etc/nginx/conf.d/who.txt && echo web1 > /run/who && echo web1 > /tmp/who');
    const seen = await fleet.exec(web2, 'cat /etc/nginx/conf.d/who.txt /run/who /tmp/who 2>/dev/null; echo done');
    expect(seen.stdout).toBe('done\n');
    expect(readFileSync(join(web1.root, 'etc/nginx/conf.d/who.txt'), 'utf8')).toBe('web1\n');
    const checks = await fleet.exec(
      lb1,
      'nginx -t 2>&1 && haproxy -c -f /etc/haproxy/haproxy.cfg && ' +
        'grep -E "^(file|pidfile|serverurl)" /etc/supervisor/supervisord.conf && ' +
        'test -d /run/sshd && test ! -e /etc/nginx/sites-enabled/default && echo ok',
    );
    expect(checks.code).toBe(0);
    expect(checks.stdout).toContain('file=/run/supervisor.sock');
    expect(checks.stdout).toContain('pidfile=/run/supervisord.pid');
    expect(checks.stdout).toContain('serverurl=unix:///run/supervisor.sock');
    expect(checks.stdout.trimEnd().endsWith('ok')).toBe(true);
  });

  it('lets services on different hosts use the same port on their own address', async () => {
    for (const h of [web1, web2]) {
      const r = await fleet.exec(
        h,
        `nohup socat TCP-LISTEN:8000,bind=${h.address},reuseaddr,fork SYSTEM:'echo I am ${h.name}' ` +
          '>/dev/null 2>&1 & echo started',
      );
      expect(r.stdout).toBe('started\n');
    }
    for (const h of [web1, web2]) {
      let answer = '';
      for (let attempt = 0; attempt < 100 && answer === ''; attempt++) {
        answer = await readBanner(h.address, 8000).catch(() => '');
        if (answer === '') await new Promise((r) => setTimeout(r, 50));
      }
      expect(answer).toBe(`I am ${h.name}`);
    }
  });

  it('presents a distinct host key per host, matching known_hosts', () => {
    const knownHosts = readFileSync(fleet.knownHosts, 'utf8').trim().split('\n');
    expect(knownHosts).toHaveLength(5);
    const keys = new Set<string>();
    for (const h of fleet.hosts) {
      const scan = spawnSync('ssh-keyscan', ['-t', 'ed25519', '-p', String(h.port), h.address], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      const presented = scan.stdout.trim().split(/\s+/).slice(1).join(' ');
      expect(presented).toMatch(/^ssh-ed25519 AAAA/);
      expect(knownHosts).toContain(`[${h.address}]:${h.port} ${presented}`);
      keys.add(presented);
    }
    expect(keys.size).toBe(5);
  });

  it('refuses a host whose key does not match (strict checking) and accepts the hashed known_hosts variant', () => {
    const lines = readFileSync(fleet.knownHosts, 'utf8').trim().split('\n');
    const keyOf = (h: FleetHost): string =>
      (lines.find((l) => l.startsWith(`[${h.address}]:`)) ?? '').split(' ').slice(1).join(' ');
    const wrong = join(fleet.dir, 'known_hosts.wrong');
    writeFileSync(wrong, `${knownHostsName(web2.address, web2.port)} ${keyOf(web1)}\n`);
    const args = fleet
      .sshArgs(web2)
      .map((a) => a.replace(`UserKnownHostsFile=${fleet.knownHosts}`, `UserKnownHostsFile=${wrong}`));
    const refused = ssh([...args, 'true']);
    expect(refused.code).toBe(255);
    expect(refused.stderr).toMatch(/host key|HOST IDENTIFICATION/i);

    const hashed = writeHashedKnownHosts(fleet.knownHosts, join(fleet.dir, 'known_hosts.hashed'));
    const hashedLines = readFileSync(hashed, 'utf8').trim().split('\n');
    expect(hashedLines).toHaveLength(5);
    for (const line of hashedLines)
      expect(line).toMatch(/^\|1\|[A-Za-z0-9+/=]{28}\|[A-Za-z0-9+/=]{28} ssh-ed25519 AAAA\S+$/);
    expect(readFileSync(hashed, 'utf8')).not.toContain(web2.address);
    // OpenSSH itself finds the host in the hashed file (same HMAC-SHA1 scheme)
    const found = spawnSync('ssh-keygen', ['-F', knownHostsName(web2.address, web2.port), '-f', hashed], {
      encoding: 'utf8',
    });
    expect(found.status).toBe(0);
    const hashedArgs = fleet
      .sshArgs(web2)
      .map((a) => a.replace(`UserKnownHostsFile=${fleet.knownHosts}`, `UserKnownHostsFile=${hashed}`));
    expect(ssh([...hashedArgs, 'echo', 'in']).stdout).toBe('in\n');
  });

  it('writes an ssh_config usable with `ssh -F`', () => {
    const r = ssh(['-F', fleet.sshConfig, '-o', 'BatchMode=yes', 'web3', 'echo $(id -un)@web3']);
    expect(r).toMatchObject({ code: 0, stdout: 'root@web3\n' });
  });

  it('has a non-root user whose sudo wants the password', async () => {
    const who = await fleet.exec(web1, 'id -un', { user: FERRYTEST_USER });
    expect(who).toMatchObject({ code: 0, stdout: `${FERRYTEST_USER}\n` });
    const ok = await fleet.exec(web1, "sudo -k; sudo -S -p '' id -u", {
      user: FERRYTEST_USER,
      input: `${FERRYTEST_PASSWORD}\n`,
    });
    expect(ok).toMatchObject({ code: 0, stdout: '0\n' });
    const bad = await fleet.exec(web1, "sudo -k; sudo -S -p '' id -u", {
      user: FERRYTEST_USER,
      input: 'not-the-password\n',
    });
    expect(bad.code).not.toBe(0);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/incorrect password|try again/i);
  });

  it('stop() kills every process of the fleet, frees its addresses and removes its dir', async () => {
    // something started over SSH that outlives its session, as supervisord does
    expect((await fleet.exec(lb1, 'supervisord -c /etc/supervisor/supervisord.conf && echo up')).stdout).toBe('up\n');
    const before = processesOf(fleet);
    expect(before.length).toBeGreaterThanOrEqual(5 + 2 + 1);
    expect(processesMentioning(fleet.dir).length).toBeGreaterThanOrEqual(5);
    const started = Date.now();
    await fleet.stop();
    console.log(`fleet of 5 stopped in ${Date.now() - started} ms`);
    expect(processesOf(fleet)).toEqual([]);
    expect(processesMentioning(fleet.dir)).toEqual([]);
    const listening = listeningEndpoints();
    for (const h of fleet.hosts) {
      expect(listening.has(`${h.address}:${h.port}`)).toBe(false);
      expect(listening.has(`${h.address}:8000`)).toBe(false);
    }
    expect(existsSync(fleet.dir)).toBe(false);
    await fleet.stop(); // idempotent
  });
});

describe.skipIf(!can.ok)('test fleet: 200 hosts', () => {
  it('starts 200 hosts that all answer with an SSH banner, and stops them all', { timeout: 180_000 }, async () => {
    const started = Date.now();
    const fleet = await startFleet({ hosts: 200 });
    try {
      console.log(`fleet of 200 started in ${Date.now() - started} ms`);
      expect(new Set(fleet.hosts.map((h) => h.address)).size).toBe(200);
      const banners = await Promise.all(fleet.hosts.map((h) => readBanner(h.address, h.port, 30_000)));
      expect(banners.filter((b) => b.startsWith('SSH-2.0-OpenSSH'))).toHaveLength(200);
      const last = fleet.hosts[199];
      expect(last?.name).toBe('h200');
      if (last) expect((await fleet.exec(last, 'echo $(id -un) on h200')).stdout).toBe('root on h200\n');
    } finally {
      const stopping = Date.now();
      await fleet.stop();
      console.log(`fleet of 200 stopped in ${Date.now() - stopping} ms`);
    }
    expect(processesOf(fleet)).toEqual([]);
    expect(processesMentioning(fleet.dir)).toEqual([]);
    const listening = listeningEndpoints();
    expect(fleet.hosts.filter((h) => listening.has(`${h.address}:${h.port}`))).toEqual([]);
    expect(existsSync(fleet.dir)).toBe(false);
  });
});

/** Poll `probe` until it returns true or `limitMs` passes; returns its last answer (assert on it). */
async function eventually(probe: () => boolean, limitMs = 15_000): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  while (!probe()) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

interface ChildFleet {
  dir: string;
  hosts: FleetHost[];
}

/** Run test/fleet/crash-child.ts in its own node process; resolves once its fleet is up. */
function startChildFleet(
  mode: 'exit' | 'wait',
): Promise<{ child: ReturnType<typeof spawn>; fleet: ChildFleet; closed: Promise<number | null> }> {
  const jiti = resolve('node_modules/jiti/lib/jiti-cli.mjs');
  const child = spawn(process.execPath, [jiti, resolve('test/fleet/crash-child.ts'), mode], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const closed = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
  return new Promise((done, fail) => {
    let out = '';
    let err = '';
    child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line !== undefined) done({ child, fleet: JSON.parse(line) as ChildFleet, closed });
    });
    void closed.then((code) => fail(new Error(`child exited ${code} before its fleet was up: ${err}`)));
  });
}

describe.skipIf(!can.ok)('test fleet: crash safety', () => {
  it('cleans up when the process exits without stop()', async () => {
    const { fleet, closed } = await startChildFleet('exit');
    expect(await closed).toBe(3);
    expect(await eventually(() => processesOf(fleet).length === 0)).toBe(true);
    expect(existsSync(fleet.dir)).toBe(false);
  });

  it('kills sshd when the process is SIGKILLed, and the next start reaps what sessions left', async () => {
    const { child, fleet, closed } = await startChildFleet('wait');
    const sleeper = processesOf(fleet).filter((pid) => !fleet.hosts.some((h) => h.pid === pid));
    expect(sleeper.length).toBeGreaterThanOrEqual(1);
    child.kill('SIGKILL');
    await closed;
    // parent-death signal: every sshd listener goes with its parent
    expect(await eventually(() => fleet.hosts.every((h) => !processesOf({ hosts: [h] }).includes(h.pid)))).toBe(true);
    // (another process starting a fleet may have reaped it already: the outcome is what counts)
    await reapStaleFleets();
    expect(processesOf(fleet)).toEqual([]);
    expect(existsSync(fleet.dir)).toBe(false);
  });

  it('runs several fleets side by side in distinct address blocks', async () => {
    // the third lives under /tmp, a folder every host privatizes: sshd must still find its files
    const underTmp = join(mkdtempSync(join(tmpdir(), 'ferry-fleet-test-')), 'fleet');
    const fleets = await Promise.all([
      startFleet({ hosts: 2 }),
      startFleet({ hosts: 2 }),
      startFleet({ hosts: 2, dir: underTmp }),
    ]);
    try {
      const blocks = fleets.map((f) => f.hosts[0]?.address.split('.')[1]);
      expect(new Set(blocks).size).toBe(3);
      for (const f of fleets) {
        const h = f.hosts[1];
        if (h) expect((await f.exec(h, 'echo ok')).stdout).toBe('ok\n');
      }
      const [a, b] = fleets[2]?.hosts ?? [];
      if (a === undefined || b === undefined) throw new Error('fleet under /tmp has no hosts');
      await fleets[2]?.exec(a, 'echo mine > /tmp/who');
      expect((await fleets[2]?.exec(b, 'cat /tmp/who 2>/dev/null; ls /tmp'))?.stdout).toBe(
        `${basename(dirname(underTmp))}\n`,
      );
      expect(readFileSync(join(a.root, 'tmp/who'), 'utf8')).toBe('mine\n');
    } finally {
      await Promise.all(fleets.map((f) => f.stop()));
      rmSync(dirname(underTmp), { recursive: true, force: true });
    }
  });
});
