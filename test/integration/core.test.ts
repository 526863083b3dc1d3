import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, FERRYTEST_USER, FERRYTEST_PASSWORD, type Fleet } from '../fleet/fleet.js';
import { ferry, fleetFlags, REPO } from '../helpers/ferry-cli.js';
import { fleetSkipReason } from '../helpers/skip.js';
import { HOSTILE_STRINGS } from '../fixtures/hostile-strings.js';

const skip = fleetSkipReason();

describe.skipIf(skip)('core on a real sshd fleet', () => {
  let fleet: Fleet;
  let work: string;
  let flags: string[];

  beforeAll(async () => {
    fleet = await startFleet({ hosts: 5 });
    flags = fleetFlags(fleet);
    work = await mkdtemp(join(tmpdir(), 'ferry-core-'));
    for (const h of fleet.hosts) await writeFile(join(h.root, 'srv', 'whoami.txt'), `I am ${h.name}\n`);
  });
  afterAll(async () => {
    await fleet?.stop();
  });

  it('runs on 5 hosts in parallel; each sees its own /srv', async () => {
    const r = await ferry([
      ...flags,
      '--json',
      join(work, 'r1.json'),
      'run',
      '--roles',
      'app',
      '--',
      'cat /srv/whoami.txt',
    ]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const report = JSON.parse(await readFile(join(work, 'r1.json'), 'utf8'));
    expect(report.hosts).toHaveLength(5);
    for (const h of report.hosts) {
      expect(h.status).toBe('ok');
      expect(h.steps[0].stdout).toBe(`I am ${h.host}\n`);
      expect(h.channels).toBe(1);
    }
  });

  it('one failing host does not stop the others: exit 1, report names host and exit code', async () => {
    const bad = fleet.hosts[2]!;
    await writeFile(join(bad.root, 'srv', 'fail'), '');
    const r = await ferry([
      ...flags,
      '--json',
      join(work, 'r2.json'),
      'run',
      '--roles',
      'app',
      '--',
      'test ! -e /srv/fail || exit 7',
    ]);
    expect(r.code).toBe(1);
    const report = JSON.parse(await readFile(join(work, 'r2.json'), 'utf8'));
    const failed = report.hosts.filter((h: { status: string }) => h.status === 'failed');
    expect(failed.map((h: { host: string }) => h.host)).toEqual([bad.name]);
    expect(failed[0].exitCode).toBe(7);
    expect(report.hosts.filter((h: { status: string }) => h.status === 'ok')).toHaveLength(4);
    expect(r.stdout).toContain(`[${bad.name}] FAILED (exit 7)`);
  });

  it('passes a hostile param literally to the host (tasks/hello.ts)', async () => {
    const name = "O'Brien; rm -rf /";
    const r = await ferry([...flags, '--json', join(work, 'r3.json'), 'hello', '--hosts', 'h1,h2', '--name', name]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(await readFile(join(work, 'r3.json'), 'utf8'));
    for (const h of report.hosts) expect(h.result).toEqual({ said: [`hello, ${name}`] });
  });

  it('round-trips 50+ hostile strings byte for byte through the remote sh', async () => {
    const proj = join(work, 'proj');
    await mkdir(join(proj, 'tasks'), { recursive: true });
    await writeFile(
      join(proj, 'tasks', 'roundtrip.ts'),
      `
import { defineTask } from '${REPO}src/index.js';
import { HOSTILE_STRINGS } from '${REPO}test/fixtures/hostile-strings.js';
export default defineTask({
  name: 'roundtrip',
  description: 'printf %s every hostile string and compare bytes',
  async run(ctx) {
    const bad: string[] = [];
    for (const s of HOSTILE_STRINGS) {
      const { stdout } = await ctx.run(['printf', '%s', s]);
      if (stdout !== s) bad.push(JSON.stringify(s));
    }
    return { checked: HOSTILE_STRINGS.length, bad };
  },
});
`,
    );
    const r = await ferry(['--project', proj, ...flags, '--json', join(work, 'r4.json'), 'roundtrip', '--hosts', 'h1']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const report = JSON.parse(await readFile(join(work, 'r4.json'), 'utf8'));
    expect(report.hosts[0].result).toEqual({ checked: HOSTILE_STRINGS.length, bad: [] });
  });

  it('refuses an unknown host key (exit 3), accepts and records it with the flag', async () => {
    const kh = join(work, 'kh-empty');
    await writeFile(kh, '');
    const base = ['--inventory', fleet.inventoryFile, '-i', fleet.clientKey, '--known-hosts', kh];
    const r1 = await ferry([...base, 'run', '--hosts', 'h1', '--', 'true']);
    expect(r1.code).toBe(3);
    expect(r1.stdout).toMatch(/unknown host key .*SHA256:/);
    const r2 = await ferry([...base, '--accept-new-host-keys', 'run', '--hosts', 'h1', '--', 'true']);
    expect(r2.code, r2.stdout).toBe(0);
    expect(await readFile(kh, 'utf8')).toMatch(/^\|1\|[^ ]+ ssh-ed25519 AAAA/);
    const r3 = await ferry([...base, 'run', '--hosts', 'h1', '--', 'true']);
    expect(r3.code).toBe(0);
  });

  it('refuses a changed host key, even with --accept-new-host-keys, showing both fingerprints', async () => {
    const kh = join(work, 'kh-changed');
    const other = join(work, 'otherkey');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    const h1 = fleet.host('h1');
    const pub = (await readFile(`${other}.pub`, 'utf8')).split(' ').slice(0, 2).join(' ');
    await writeFile(kh, `[${h1.address}]:${h1.port} ${pub}\n`);
    const r = await ferry([
      '--inventory',
      fleet.inventoryFile,
      '-i',
      fleet.clientKey,
      '--known-hosts',
      kh,
      '--accept-new-host-keys',
      'run',
      '--hosts',
      'h1',
      '--',
      'true',
    ]);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/HOST KEY CHANGED.*presented ssh-ed25519 SHA256:\S+.*known ssh-ed25519 SHA256:\S+/);
    expect(await readFile(kh, 'utf8')).toBe(`[${h1.address}]:${h1.port} ${pub}\n`);
  });

  it('accepts hashed known_hosts entries', async () => {
    const kh = join(work, 'kh-hashed');
    const { hashKnownHostsName, knownHostsName } = await import('../fleet/fleet.js');
    const plain = await readFile(fleet.knownHosts, 'utf8');
    const hashed = plain
      .trim()
      .split('\n')
      .map((l) => {
        const [name, ...rest] = l.split(' ');
        return [hashKnownHostsName(name!), ...rest].join(' ');
      });
    await writeFile(kh, `${hashed.join('\n')}\n`);
    expect(knownHostsName('127.0.0.1', 2222)).toBe('[127.0.0.1]:2222');
    const r = await ferry([
      '--inventory',
      fleet.inventoryFile,
      '-i',
      fleet.clientKey,
      '--known-hosts',
      kh,
      'run',
      '--roles',
      'app',
      '--',
      'true',
    ]);
    expect(r.code, r.stdout).toBe(0);
  });

  describe('sudo with a password as a non-root user', () => {
    let inv: string;
    beforeAll(async () => {
      const h = fleet.host('h4');
      inv = join(work, 'inv-sudo.yaml');
      await writeFile(
        inv,
        `hosts:\n  s4: { address: ${h.address}, port: ${h.port}, user: ${FERRYTEST_USER}, roles: [app] }\n`,
      );
    });

    it("answers sudo's prompt; the password appears in no log, report or ps output", async () => {
      const h = fleet.host('h4');
      const logsBefore = new Set(await readdir(join(REPO, '.ferry', 'logs')).catch(() => []));
      const seenInPs: string[] = [];
      let polling = true;
      const poll = (async () => {
        while (polling) {
          const ps = await fleet.exec(h, 'ps -eo args');
          if (ps.stdout.includes(FERRYTEST_PASSWORD)) seenInPs.push(ps.stdout);
          await new Promise((r) => setTimeout(r, 100));
        }
      })();
      const r = await ferry(
        [
          '--inventory',
          inv,
          '--known-hosts',
          fleet.knownHosts,
          '-i',
          fleet.clientKey,
          '--json',
          join(work, 'sudo.json'),
          'run',
          '--sudo',
          '--hosts',
          's4',
          '--',
          'sleep 1.5; id -u; whoami',
        ],
        { env: { FERRY_SUDO_PASSWORD: FERRYTEST_PASSWORD } },
      );
      polling = false;
      await poll;
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const reportText = await readFile(join(work, 'sudo.json'), 'utf8');
      expect(JSON.parse(reportText).hosts[0].steps[0].stdout).toBe('0\nroot\n');
      expect(reportText).not.toContain(FERRYTEST_PASSWORD);
      expect(r.stdout + r.stderr).not.toContain(FERRYTEST_PASSWORD);
      const newLogs = (await readdir(join(REPO, '.ferry', 'logs'))).filter((d) => !logsBefore.has(d));
      expect(newLogs.length).toBeGreaterThan(0);
      for (const d of newLogs) {
        for (const f of await readdir(join(REPO, '.ferry', 'logs', d))) {
          expect(await readFile(join(REPO, '.ferry', 'logs', d, f), 'utf8')).not.toContain(FERRYTEST_PASSWORD);
        }
      }
      expect(seenInPs).toEqual([]);
    });

    it('a wrong password is a clear per-host error', async () => {
      const r = await ferry(
        [
          '--inventory',
          inv,
          '--known-hosts',
          fleet.knownHosts,
          '-i',
          fleet.clientKey,
          'run',
          '--sudo',
          '--hosts',
          's4',
          '--',
          'id -u',
        ],
        { env: { FERRY_SUDO_PASSWORD: 'not-the-password' } },
      );
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/\[s4\] FAILED.*sudo password was refused/);
      expect(r.stdout).not.toContain('not-the-password');
    });

    it('no password at all says how to give one', async () => {
      const r = await ferry(
        [
          '--inventory',
          inv,
          '--known-hosts',
          fleet.knownHosts,
          '-i',
          fleet.clientKey,
          'run',
          '--sudo',
          '--hosts',
          's4',
          '--',
          'id -u',
        ],
        { env: { FERRY_SUDO_PASSWORD: '' } },
      );
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/--sudo-password-prompt or set FERRY_SUDO_PASSWORD/);
    });
  });

  it("reaches a host through a ProxyJump host (the tunnel is opened by the jump host's sshd)", async () => {
    const h1 = fleet.host('h1');
    const h2 = fleet.host('h2');
    const inv = join(work, 'inv-jump.yaml');
    await writeFile(
      inv,
      `hosts:\n  h1: { address: ${h1.address}, port: ${h1.port}, user: root }\n` +
        `  behind: { address: ${h2.address}, port: ${h2.port}, user: root, jump: h1, roles: [app] }\n`,
    );
    let done = false;
    const run = ferry([
      '--inventory',
      inv,
      '--known-hosts',
      fleet.knownHosts,
      '-i',
      fleet.clientKey,
      'run',
      '--hosts',
      'behind',
      '--',
      'sleep 2; cat /srv/whoami.txt',
    ]).finally(() => (done = true));
    let ss = '';
    while (!done && !ss) {
      ss = execFileSync('ss', ['-Htnp', 'state', 'established', 'dst', `${h2.address}:${h2.port}`], {
        encoding: 'utf8',
      });
      await new Promise((r) => setTimeout(r, 100));
    }
    const r = await run;
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain('[behind] I am h2');
    expect(ss).toMatch(/sshd/);
    expect(ss).not.toMatch(/"node"/);
  });

  it('honours an ssh_config file (HostName, Port, User, IdentityFile)', async () => {
    const h3 = fleet.host('h3');
    const cfg = join(work, 'ssh_config');
    await writeFile(
      cfg,
      `Host db-alias\n  HostName ${h3.address}\n  Port ${h3.port}\n  User root\n  IdentityFile ${fleet.clientKey}\n`,
    );
    const inv = join(work, 'inv-alias.yaml');
    await writeFile(inv, 'hosts:\n  db: { address: db-alias, roles: [db] }\n');
    const r = await ferry([
      '--inventory',
      inv,
      '--known-hosts',
      fleet.knownHosts,
      '--ssh-config',
      cfg,
      'run',
      '--roles',
      'db',
      '--',
      'cat /srv/whoami.txt',
    ]);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain('[db] I am h3');
  });

  it('--dry-run prints the exact commands and opens no connection', async () => {
    const inv = join(work, 'inv-dead.yaml');
    await writeFile(
      inv,
      'hosts:\n  dead1: { address: 127.0.0.1, port: 1, roles: [app] }\n' +
        '  dead2: { address: 127.0.0.1, port: 1, roles: [app] }\n',
    );
    const r = await ferry([
      '--inventory',
      inv,
      '--known-hosts',
      fleet.knownHosts,
      '-i',
      fleet.clientKey,
      '--dry-run',
      'run',
      '--roles',
      'app',
      '--',
      'systemctl restart nginx',
    ]);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain('[dead1] $ systemctl restart nginx');
    expect(r.stdout).toContain('[dead2] $ systemctl restart nginx');
    expect(r.stdout).not.toMatch(/\bdone\b/);
    const h = await ferry([
      '--inventory',
      inv,
      '--known-hosts',
      fleet.knownHosts,
      '-i',
      fleet.clientKey,
      '--dry-run',
      'hello',
      '--roles',
      'app',
      '--name',
      "it's",
    ]);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain(`[dead1] $ printf '%s\\n' 'hello, it'\\''s'`);
  });

  it('usage errors exit 2 naming the unknown host or role', async () => {
    const r = await ferry([...flags, 'run', '--hosts', 'nope', '--', 'true']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown host nope');
    const r2 = await ferry([...flags, 'hello', '--roles', 'ghosts']);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('unknown role ghosts');
    const r3 = await ferry([...flags, 'hello', '--hosts', 'h1', '--times', 'many']);
    expect(r3.code).toBe(2);
    expect(r3.stderr).toContain('--times expects a number');
  });
});
