import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet, type FleetHost } from '../fleet/fleet.js';
import { FERRY_BIN, ferry, fleetFlags, startFerry } from '../helpers/ferry-cli.js';
import { fleetSkipReason } from '../helpers/skip.js';
import { waitFor } from '../helpers/wait-for.js';

const skip = fleetSkipReason();
const HOSTS = 60;
/** these hosts' sshd takes at most 2 unauthenticated connections at once, and logs each drop */
const BUSY = ['h1', 'h2', 'h3'];

interface Report {
  hosts: Array<{ host: string; status: string; connectRetries?: number; error?: { message: string } }>;
}

/** A TCP connection that got sshd's banner and then says nothing: one of sshd's MaxStartups slots, held. */
function holdStartup(h: FleetHost): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(h.port, h.address);
    s.once('data', () => resolve(s));
    s.once('error', reject);
  });
}

describe.skipIf(skip)(`transient connect failures on a ${HOSTS}-host fleet`, () => {
  let fleet: Fleet;
  let dir: string;
  let flags: string[];
  let n = 0;
  const json = () => join(dir, `r${++n}.json`);
  const report = async (f: string) => JSON.parse(await readFile(f, 'utf8')) as Report;
  const run = (...args: string[]) => ferry([...flags, ...args], { timeoutMs: 120_000 });

  beforeAll(async () => {
    fleet = await startFleet({
      hosts: Array.from({ length: HOSTS }, (_, i) => {
        const name = `h${i + 1}`;
        return {
          name,
          roles: ['app'],
          ...(BUSY.includes(name) ? { sshd: { maxStartups: '2', logLevel: 'VERBOSE' } } : {}),
        };
      }),
    });
    dir = await mkdtemp(join(tmpdir(), 'ferry-transient-'));
    flags = fleetFlags(fleet);
  }, 300_000);
  afterAll(async () => {
    await fleet?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('MaxStartups drops are retried: every host ok, the retried ones counted in the report', async () => {
    const busy = BUSY.map((b) => fleet.host(b));
    const logOf = (h: FleetHost) => join(fleet.dir, 'hosts', h.name, 'sshd.log');
    const hogs = await Promise.all(busy.flatMap((h) => [holdStartup(h), holdStartup(h)]));
    // control: while the slots are held, a plain ssh client is dropped by these hosts
    const plain = spawnSync('ssh', [...fleet.sshArgs(busy[0]!), 'true'], { encoding: 'utf8', timeout: 10_000 });
    expect(plain.status, plain.stderr).not.toBe(0);
    const f = json();
    const p = startFerry([...flags, '--json', f, '-j', '60', 'run', '--roles', 'app', '--', 'true']);
    // the slots are given back only once ferry's first try was dropped on every busy host
    await waitFor(() => busy.every((h) => readFileSync(logOf(h), 'utf8').includes('past MaxStartups')), {
      timeoutMs: 30_000,
      what: "sshd's MaxStartups drop of ferry's first try",
    });
    for (const s of hogs) s.destroy();
    const r = await p.done;
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const rep = await report(f);
    expect(rep.hosts.filter((h) => h.status === 'ok')).toHaveLength(HOSTS);
    const retried = rep.hosts.filter((h) => h.connectRetries).map((h) => h.host);
    expect(retried.sort()).toEqual([...BUSY].sort());
    for (const h of rep.hosts.filter((x) => BUSY.includes(x.host))) expect(h.connectRetries).toBeGreaterThanOrEqual(1);
    expect(r.stdout).toMatch(/connect retries \(refused, timed out or dropped before the banner\): h\d ×\d/);
  }, 120_000);

  it('an authentication or host-key refusal is not retried', async () => {
    const key = join(dir, 'other_key');
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    const f1 = json();
    const a = await ferry(
      [
        '--inventory',
        fleet.inventoryFile,
        '--known-hosts',
        fleet.knownHosts,
        '-i',
        key,
        '--json',
        f1,
        'run',
        '--hosts',
        'h10',
        '--',
        'true',
      ],
      { env: { SSH_AUTH_SOCK: '' } },
    );
    expect(a.code, a.stdout + a.stderr).toBe(3);
    expect((await report(f1)).hosts[0]).toMatchObject({ host: 'h10', status: 'unreachable' });
    expect((await report(f1)).hosts[0]?.connectRetries).toBeUndefined();
    const empty = join(dir, 'empty_known_hosts');
    await writeFile(empty, '');
    const f2 = json();
    const k = await ferry([
      '--inventory',
      fleet.inventoryFile,
      '--known-hosts',
      empty,
      '-i',
      fleet.clientKey,
      '--json',
      f2,
      'run',
      '--hosts',
      'h10',
      '--',
      'true',
    ]);
    expect(k.code, k.stdout + k.stderr).toBe(3);
    expect((await report(f2)).hosts[0]?.status).toBe('unreachable');
    expect((await report(f2)).hosts[0]?.connectRetries).toBeUndefined();
  }, 60_000);

  it('--only-failed reruns exactly the 3 hosts a report marks failed or unreachable', async () => {
    const [h4, h5, h6] = ['h4', 'h5', 'h6'].map((x) => fleet.host(x));
    // h4, h5: sshd stopped (SIGSTOP: connects get no banner → timeouts, retried); h6: its command fails
    process.kill(h4!.pid, 'SIGSTOP');
    process.kill(h5!.pid, 'SIGSTOP');
    await fleet.exec(h6!, 'touch /tmp/fail-me');
    const f = json();
    // 10 hosts, not 60: a 2 s handshake deadline must hold for the healthy ones on a loaded machine
    const ten = Array.from({ length: 10 }, (_, i) => `h${i + 4}`).join(',');
    let r: Awaited<ReturnType<typeof run>>;
    try {
      r = await run('--connect-timeout', '2', '--json', f, 'run', '--hosts', ten, '--', 'test ! -e /tmp/fail-me');
    } finally {
      process.kill(h4!.pid, 'SIGCONT');
      process.kill(h5!.pid, 'SIGCONT');
    }
    expect(r.code, r.stdout + r.stderr).not.toBe(0);
    const rep = await report(f);
    const bad = rep.hosts.filter((h) => h.status !== 'ok');
    expect(bad.map((h) => `${h.host}:${h.status}`).sort()).toEqual(['h4:unreachable', 'h5:unreachable', 'h6:failed']);
    for (const h of bad.filter((x) => x.status === 'unreachable')) {
      expect(h.connectRetries, h.host).toBe(2);
      expect(h.error?.message).toMatch(/\(after 3 tries\)$/);
    }
    await fleet.exec(h6!, 'rm /tmp/fail-me');
    const f2 = json();
    const again = await run('--only-failed', f, '--json', f2, 'run', '--', 'touch /tmp/touched');
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect((await report(f2)).hosts.map((h) => h.host).sort()).toEqual(['h4', 'h5', 'h6']);
    const touched = fleet.hosts.filter((h) => existsSync(join(h.root, 'tmp/touched'))).map((h) => h.name);
    expect(touched.sort()).toEqual(['h4', 'h5', 'h6']);
  }, 120_000);

  it(`above 50 hosts the progress is counts and the failing hosts, not ${HOSTS} lines`, async () => {
    await fleet.exec(fleet.host('h7'), 'touch /tmp/fail-me');
    const r = await run('run', '--roles', 'app', '--', 'test ! -e /tmp/fail-me');
    await fleet.exec(fleet.host('h7'), 'rm /tmp/fail-me');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${HOSTS}/${HOSTS} done: ${HOSTS - 1} ok, 1 failed, 0 running`);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('[h7] FAILED'))).toHaveLength(2); // live, and in the summary
    expect(r.stdout).not.toMatch(/\[h12\]/);
  }, 60_000);

  it('a file-descriptor limit too low for -j is a usage error before any connection', () => {
    const argv = [FERRY_BIN, ...flags, '-j', '60', 'run', '--roles', 'app', '--', 'true'].map((a) => `'${a}'`);
    const r = spawnSync('sh', ['-c', `ulimit -n 100 && exec '${process.execPath}' ${argv.join(' ')}`], {
      encoding: 'utf8',
      env: { ...process.env, CI: '1', NO_COLOR: '1' },
    });
    expect(r.status, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(/-j 60 needs about 184 open files .* may open 100 .*: lower -j to 18/);
  });
});
