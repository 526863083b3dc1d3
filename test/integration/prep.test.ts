import { readFileSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FERRYTEST_PASSWORD, FERRYTEST_USER, startFleet, type Fleet } from '../fleet/fleet.js';
import { ferry, fleetFlags, REPO } from '../helpers/ferry-cli.js';
import { fleetSkipReason } from '../helpers/skip.js';

const skip = fleetSkipReason();
/** the 1-based line of a file's text holding `needle` */
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

/** quotes, $(), backticks, a % for cron, bytes that are not UTF-8 (no NUL), no trailing newline */
const HOSTILE = [...Buffer.from(`it's "$(id)" \`uname\` \\ $HOME 100%\n\t`), 0x80, 0xfe, 0xff, 0x01, 0x7f];
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK0wmN/Cr3JXqmLW7u+g9pTh+wyqDHpSQEQQ5 deploy@ci';
// the running value: the sysctl op then persists it without changing the (shared) kernel
const SWAPPINESS = readFileSync('/proc/sys/vm/swappiness', 'utf8').trim();

const TASK = `
import { defineTask, prep, sh, z } from '${REPO}src/index.js';
export default defineTask({
  name: 'prep-fleet',
  description: 'every prep op the per-host views of the fleet isolate',
  defaultSelection: { roles: ['app'] },
  params: z.object({
    motd: z.string().default('v1'),
    mode: z.string().default('750'),
    dir: z.string().default('/srv/shop/releases'),
    user: z.string().default('ferrytest'),
  }),
  async run(ctx) {
    const steps = await ctx.apply([
      prep.packages({ install: ['coreutils', 'openssh-server'] }),
      prep.user({ name: ctx.params.user, authorizedKeys: [${JSON.stringify(KEY)}] }),
      prep.directory({ path: ctx.params.dir, mode: ctx.params.mode, owner: 'ferrytest' }),
      prep.file({
        path: '/srv/shop/hostile.bin',
        content: new Uint8Array(${JSON.stringify(HOSTILE)}),
        mode: 0o600,
        onChange: prep.handler('mark', 'mark the change', sh('date >> /srv/shop/handler.log')),
      }),
      prep.file({ path: '/srv/shop/motd', content: 'motd ' + ctx.params.motd + '\\n',
        onChange: prep.handler('mark', 'mark the change', sh('date >> /srv/shop/handler.log')) }),
      prep.template({ path: '/etc/nginx/conf.d/shop.conf', template: 'templates/shop.liquid' }),
      prep.symlink({ path: '/srv/shop/current', target: '/srv/shop/releases' }),
      prep.cron({ name: 'shop-cleanup', schedule: '17 3 * * *', user: 'ferrytest', command: ['/srv/shop/current/cleanup', '--keep', '30%'] }),
      prep.limits({ name: 'shop', entries: [{ domain: 'ferrytest', type: '-', item: 'nofile', value: 65536 }] }),
      prep.sysctl({ name: '60-shop', settings: { 'vm.swappiness': ${JSON.stringify(SWAPPINESS)} } }),
      prep.line({ path: '/etc/nginx/nginx.conf', line: 'worker_processes 2;', match: /^worker_processes\\s/ }),
    ]);
    return { changed: steps.filter((s) => s.status === 'changed').length };
  },
});
`;

const SERVICE_TASK = `
import { defineTask, prep } from '${REPO}src/index.js';
export default defineTask({
  name: 'prep-service',
  description: 'a systemd service on a host without systemd',
  async run(ctx) {
    await ctx.apply([prep.directory({ path: '/srv/untouched' }), prep.service({ name: 'nginx', enabled: true, running: true })]);
  },
});
`;

const SUDO_TASK = `
import { defineTask, prep } from '${REPO}src/index.js';
export default defineTask({
  name: 'prep-sudo',
  description: 'prep ops as a non-root login: probe and steps through sudo',
  async run(ctx) {
    const steps = await ctx.apply([
      prep.directory({ path: '/srv/private', mode: 0o700, owner: 'root' }),
      prep.file({ path: '/srv/private/secret', content: 'only root\\n', mode: 0o600, sensitive: true }),
    ]);
    return { changed: steps.filter((s) => s.status === 'changed').length };
  },
});
`;

interface Report {
  hosts: Array<{
    host: string;
    status: string;
    result?: { changed: number };
    error?: string;
    steps: Array<{ id: string; status: string; title: string }>;
  }>;
}

describe.skipIf(skip)('prep ops on a real sshd fleet', () => {
  let fleet: Fleet;
  let proj: string;
  let flags: string[];
  let n = 0;
  const run = async (...args: string[]) => {
    const json = join(proj, `r${++n}.json`);
    const r = await ferry([...flags, '--json', json, ...args], { cwd: proj });
    let report: Report | undefined;
    try {
      report = JSON.parse(await readFile(json, 'utf8')) as Report;
    } catch {
      report = undefined;
    }
    return { ...r, report };
  };
  const count = (rep: Report | undefined, status: string) =>
    (rep?.hosts ?? []).map((h) => h.steps.filter((s) => s.status === status).length);

  beforeAll(async () => {
    fleet = await startFleet({
      hosts: 2,
      // the per-host views these ops write to; /home for ferrytest's authorized_keys
      extraViews: ['/etc/cron.d', '/etc/sysctl.d', '/etc/security/limits.d', '/home'],
    });
    flags = fleetFlags(fleet);
    proj = await mkdtemp(join(tmpdir(), 'ferry-prep-'));
    await mkdir(join(proj, 'tasks'));
    await mkdir(join(proj, 'templates'));
    await writeFile(join(proj, 'tasks', 'prep-fleet.ts'), TASK);
    await writeFile(join(proj, 'tasks', 'prep-service.ts'), SERVICE_TASK);
    await writeFile(join(proj, 'tasks', 'prep-sudo.ts'), SUDO_TASK);
    await writeFile(
      join(proj, 'templates', 'shop.liquid'),
      '# {{ host.name }}\nserver { listen {{ host.address }}:8080; }\n',
    );
  }, 60_000);
  afterAll(async () => {
    await fleet?.stop();
  });

  it('--dry-run plans every missing step, shows diffs, changes nothing', async () => {
    const r = await run('--dry-run', 'prep-fleet');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const h of r.report?.hosts ?? []) {
      expect(h.steps[0]?.id).toBe('fact:prep');
      const planned = h.steps.filter((s) => s.status === 'planned').map((s) => s.id);
      expect(planned).toContain('user ferrytest: keys');
      expect(planned).toContain('template /etc/nginx/conf.d/shop.conf: write');
      expect(planned).toContain('line /etc/nginx/nginx.conf: write');
      expect(planned).not.toContain('packages coreutils,openssh-server: install');
      expect(planned.filter((id) => id === 'handler mark')).toHaveLength(1);
    }
    const h1 = fleet.host('h1');
    expect(r.stdout).toContain(`+server { listen ${h1.address}:8080; }`);
    expect(r.stdout).toMatch(/-worker_processes auto;\n.*\+worker_processes 2;/);
    await expect(stat(join(h1.root, 'srv', 'shop'))).rejects.toThrow(/ENOENT/);
    await expect(stat(join(h1.root, 'etc', 'cron.d', 'shop-cleanup'))).rejects.toThrow(/ENOENT/);
  });

  it('a first run changes the hosts byte-exact; the second run plans nothing (one probe, 0 changes)', async () => {
    const first = await run('prep-fleet');
    expect(first.code, first.stdout + first.stderr).toBe(0);
    for (const h of first.report?.hosts ?? []) expect(h.result?.changed).toBeGreaterThan(8);
    for (const h of fleet.hosts) {
      const srv = join(h.root, 'srv', 'shop');
      expect([...(await readFile(join(srv, 'hostile.bin')))]).toEqual(HOSTILE);
      expect((await stat(join(srv, 'hostile.bin'))).mode & 0o777).toBe(0o600);
      expect((await stat(join(srv, 'releases'))).mode & 0o777).toBe(0o750);
      expect(await readlink(join(srv, 'current'))).toBe('/srv/shop/releases');
      expect((await readFile(join(srv, 'handler.log'), 'utf8')).split('\n').filter(Boolean)).toHaveLength(1);
      expect(await readFile(join(h.root, 'etc', 'nginx', 'conf.d', 'shop.conf'), 'utf8')).toBe(
        `# ${h.name}\nserver { listen ${h.address}:8080; }\n`,
      );
      expect(await readFile(join(h.root, 'etc', 'cron.d', 'shop-cleanup'), 'utf8')).toBe(
        '# managed by ferry: shop-cleanup\n17 3 * * * ferrytest /srv/shop/current/cleanup --keep 30\\%\n',
      );
      expect(await readFile(join(h.root, 'home', 'ferrytest', '.ssh', 'authorized_keys'), 'utf8')).toBe(`${KEY}\n`);
      expect(await readFile(join(h.root, 'etc', 'sysctl.d', '60-shop.conf'), 'utf8')).toContain(
        `vm.swappiness = ${SWAPPINESS}`,
      );
      expect(await readFile(join(h.root, 'etc', 'security', 'limits.d', 'shop.conf'), 'utf8')).toContain(
        'ferrytest - nofile 65536',
      );
      const nginx = await readFile(join(h.root, 'etc', 'nginx', 'nginx.conf'), 'utf8');
      expect(nginx.match(/^worker_processes.*$/gm)).toEqual(['worker_processes 2;']);
    }
    // the control machine's own files were not touched
    await expect(lstat('/etc/cron.d/shop-cleanup')).rejects.toThrow(/ENOENT/);

    const second = await run('prep-fleet');
    expect(second.code, second.stdout + second.stderr).toBe(0);
    for (const h of second.report?.hosts ?? []) {
      expect(h.result?.changed).toBe(0);
      expect(h.steps.map((s) => s.id)).toEqual(['fact:prep']);
    }
    expect(second.stdout).toContain('prep: 0 change(s)');
    expect(
      (await readFile(join(fleet.host('h1').root, 'srv', 'shop', 'handler.log'), 'utf8')).split('\n').filter(Boolean),
    ).toHaveLength(1);
  });

  it('after a change, --dry-run lists only the missing steps with the right hunk', async () => {
    const h2 = fleet.host('h2');
    await writeFile(join(h2.root, 'srv', 'shop', 'motd'), 'motd drifted\n');
    const r = await run('--dry-run', 'prep-fleet', '--motd', 'v2');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const h of r.report?.hosts ?? [])
      expect(h.steps.filter((s) => s.status === 'planned').map((s) => s.id)).toEqual([
        'file /srv/shop/motd: write',
        'handler mark',
      ]);
    expect(r.stdout).toContain('-motd v1\n');
    expect(r.stdout).toContain('-motd drifted\n');
    expect(r.stdout.match(/\+motd v2\n/g)).toHaveLength(2);
    expect(await readFile(join(h2.root, 'srv', 'shop', 'motd'), 'utf8')).toBe('motd drifted\n');
  });

  it('a destructive change is refused, naming what; nothing changes on that host', async () => {
    const h2 = fleet.host('h2');
    const current = join(h2.root, 'srv', 'shop', 'current');
    await rm(current);
    await mkdir(current);
    await writeFile(join(current, 'data'), 'keep me');
    const r = await run('prep-fleet', '--motd', 'v3');
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain(
      'symlink /srv/shop/current: /srv/shop/current: is a directory, not a symlink: symlink /srv/shop/current will not replace it',
    );
    // led by the task line that built the op
    expect(r.stdout).toMatch(new RegExp(`tasks/prep-fleet\\.ts:${lineOf(TASK, 'prep.symlink(')}:\\d+: symlink /srv`));
    expect(await readFile(join(h2.root, 'srv', 'shop', 'motd'), 'utf8')).toBe('motd drifted\n');
    expect(await readFile(join(current, 'data'), 'utf8')).toBe('keep me');
    const changed = Object.fromEntries(
      (r.report?.hosts ?? []).map((h) => [h.host, count({ hosts: [h] }, 'changed')[0]]),
    );
    // h1 has no conflict: its motd and the handler ran; h2 refused before any change
    expect(changed).toEqual({ h1: 2, h2: 0 });
  });

  it('bad input (a mode that is not octal) fails before the host is touched, naming file:line and op', async () => {
    const r = await run('prep-fleet', '--mode', '999');
    expect(r.code).toBe(2);
    const at = `tasks/prep-fleet.ts:${lineOf(TASK, 'prep.directory(')}:\\d+`;
    expect(r.stdout).toMatch(new RegExp(`\\[h1\\] FAILED: ${at}: prep\\.directory: mode "999" is not octal`));
    for (const h of r.report?.hosts ?? []) expect(h.steps).toEqual([]);
    for (const [flags, op, error] of [
      [
        ['--dir', 'srv/shop/releases'],
        'prep.directory(',
        'prep\\.directory: path "srv/shop/releases" must be an absolute',
      ],
      [['--user', 'Bad User'], 'prep.user(', 'prep\\.user: name "Bad User" is not a valid user/group name'],
    ] as const) {
      const bad = await run('prep-fleet', ...flags);
      expect(bad.code, bad.stdout).toBe(2);
      expect(bad.stdout).toMatch(
        new RegExp(`\\[h1\\] FAILED: tasks/prep-fleet\\.ts:${lineOf(TASK, op)}:\\d+: ${error}`),
      );
      for (const h of bad.report?.hosts ?? []) expect(h.steps).toEqual([]);
    }
  });

  it('prep.service refuses on a host without systemd, naming the service; nothing else runs', async () => {
    const r = await run('prep-service', '--hosts', 'h1');
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain(
      'service nginx: nginx: no systemd on this host (/run/systemd/system missing)',
    );
    await expect(stat(join(fleet.host('h1').root, 'srv', 'untouched'))).rejects.toThrow(/ENOENT/);
  });

  it('tasks/prep-app-host.ts plans on the fleet and refuses only what it cannot do there (nginx under systemd)', async () => {
    const json = join(proj, 'app-host.json');
    const r = await ferry([...flags, '--json', json, '--dry-run', 'prep-app-host', '--hosts', 'h1'], { cwd: REPO });
    expect(r.code).toBe(1);
    // every op planned (packages, user shop, sysctl, template…); the one refusal is the service
    const refused = /\[h1\] FAILED: (?:\[h1\] )?refused:\n((?: {2}.*\n)+)/.exec(r.stdout)?.[1];
    const line = lineOf(readFileSync(join(REPO, 'tasks', 'prep-app-host.ts'), 'utf8'), 'prep.service(');
    expect(refused).toMatch(
      new RegExp(
        `^  tasks/prep-app-host\\.ts:${line}:\\d+: service nginx: nginx: no systemd on this host ` +
          '\\(/run/systemd/system missing\\): service nginx manages systemd units only\\n$',
      ),
    );
    const report = JSON.parse(await readFile(json, 'utf8')) as Report;
    expect(report.hosts[0]?.steps.map((s) => s.id)).toEqual(['fact:prep']);
  });

  it('as a non-root login, probes and steps run through sudo; the second run changes nothing', async () => {
    const h1 = fleet.host('h1');
    const inv = join(proj, 'inv-sudo.yaml');
    await writeFile(inv, `hosts:\n  s1: { address: ${h1.address}, port: ${h1.port}, user: ${FERRYTEST_USER} }\n`);
    const base = ['--inventory', inv, '--known-hosts', fleet.knownHosts, '-i', fleet.clientKey];
    const env = { FERRY_SUDO_PASSWORD: FERRYTEST_PASSWORD };
    for (const [i, want] of [
      [1, 2],
      [2, 0],
    ] as const) {
      const json = join(proj, `sudo${i}.json`);
      const r = await ferry([...base, '--json', json, 'prep-sudo', '--hosts', 's1'], { cwd: proj, env });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const report = JSON.parse(await readFile(json, 'utf8')) as Report;
      expect(report.hosts[0]?.result?.changed).toBe(want);
      expect(r.stdout).not.toContain('only root');
    }
    const secret = join(h1.root, 'srv', 'private', 'secret');
    expect(await readFile(secret, 'utf8')).toBe('only root\n');
    expect(((await stat(secret)).mode & 0o777).toString(8)).toBe('600');
    expect((await stat(secret)).uid).toBe(0);
  });

  it('tasks/prep-db-host.ts --dry-run plans packages, sysctl, limits and the folders; changes nothing', async () => {
    const json = join(proj, 'db-host.json');
    const r = await ferry([...flags, '--json', json, '--dry-run', 'prep-db-host', '--hosts', 'h2'], { cwd: REPO });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const report = JSON.parse(await readFile(json, 'utf8')) as Report;
    const planned = report.hosts[0]?.steps.filter((s) => s.status === 'planned').map((s) => s.id) ?? [];
    expect(planned).toContain('packages mariadb-server,xfsprogs,mdadm,lvm2: install');
    expect(planned).toContain('sysctl 60-db: write');
    expect(planned).toContain('limits db: write');
    expect(planned).toContain('directory /mnt/lvm0/mysql: create');
    expect(r.stdout).toContain('+vm.swappiness = 1');
    expect(report.hosts[0]?.steps.filter((s) => s.status !== 'planned').map((s) => s.id)).toEqual(['fact:prep']);
  });
});
