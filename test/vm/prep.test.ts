/**
 * Host prep ops on a whole machine (qemu VM, one boot for every check): apt from a local
 * repository served from the control machine's loopback (no outside network: the VM's Debian
 * sources are removed first), a system group and user with exact authorized_keys, a systemd
 * service shipped by one of those packages, enabled and started, restarted once by its handler
 * when either of its two config files changes, sysctl applied live and persisted. Each run is
 * the real, built CLI on a task written into a scratch project; a second run changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from '../helpers/ferry-cli.js';
import { buildDeb, serveRepo, writeIndex, type AptRepo, type DebSpec } from './apt-repo.js';
import prepDbHost from '../../tasks/prep-db-host.js';
import { assertBuilt, ferryOnVm, runTask, type VmRun } from './run-task.js';
import { buildImage, startVm, vmUnavailable, type Vm } from './vm.js';

const unavailable = vmUnavailable();
if (unavailable) console.log(`[test/vm] skipped: ${unavailable}`);

const T = 300_000;
// biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
const STATUS = "dpkg-query -W -f '${Package} ${Version} ${db:Status-Status}\\n'";
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK0wmN/Cr3JXqmLW7u+g9pTh+wyqDHpSQEQQ5 deploy@ci';

/** records each start (ExecStartPre finishes before `systemctl start` returns: no race) */
const demo = (version: string): DebSpec => ({
  name: 'ferry-demo',
  version,
  description: 'ferry VM test service',
  files: {
    'lib/systemd/system/ferry-demo.service': [
      '[Unit]',
      'Description=ferry VM test service',
      '[Service]',
      'EnvironmentFile=-/etc/default/ferry-demo',
      'StateDirectory=ferry-demo',
      'ExecStartPre=/usr/lib/ferry-demo/record',
      'ExecStart=/bin/sleep infinity',
      '[Install]',
      'WantedBy=multi-user.target',
      '',
    ].join('\n'),
    'usr/lib/ferry-demo/record':
      '#!/bin/sh\necho "$(cat /etc/ferry-demo.conf) color=$COLOR" >> /var/lib/ferry-demo/starts\n',
  },
});
const extra: DebSpec = {
  name: 'ferry-extra',
  version: '1.0',
  description: 'ferry VM test data',
  files: { 'usr/share/ferry-extra/README': 'extra\n' },
};

const TASK = `import { defineTask, prep, z } from '${REPO}src/index.js';

export default defineTask({
  name: 'prep-vm',
  description: 'packages from a local repo, group, user, a systemd service and its handler, sysctl',
  params: z.object({
    greeting: z.string().default('v1'),
    extra: z.string().optional(),
    upgrade: z.boolean().default(false),
  }),
  async run(ctx) {
    const restart = prep.restart('ferry-demo');
    const steps = await ctx.apply([
      ctx.params.upgrade
        ? prep.packages({ latest: ['ferry-demo'], remove: ['ferry-extra'], maxListAgeSeconds: 0 })
        : prep.packages({ install: ['ferry-demo', 'ferry-extra', ...(ctx.params.extra ? [ctx.params.extra] : [])] }),
      prep.group({ name: 'ferryapp', system: true }),
      prep.user({ name: 'shop', system: true, home: '/srv/shop', shell: '/bin/sh', groups: ['ferryapp'],
        authorizedKeys: [${JSON.stringify(KEY)}] }),
      prep.directory({ path: '/srv/shop/releases', owner: 'shop', mode: 0o750 }),
      prep.file({ path: '/etc/ferry-demo.conf', content: 'greeting ' + ctx.params.greeting + '\\n', onChange: restart }),
      prep.file({ path: '/etc/default/ferry-demo', content: 'COLOR=blue\\n', onChange: restart }),
      prep.sysctl({ name: '60-shop', settings: { 'vm.swappiness': 13, 'net.core.somaxconn': 777 } }),
      prep.service({ name: 'ferry-demo', enabled: true, running: true }),
    ]);
    return { changed: steps.filter((s) => s.status === 'changed').length };
  },
});
`;

describe.skipIf(unavailable !== undefined)('prep ops on a whole machine (qemu VM)', () => {
  let vm: Vm;
  let work: string;
  let project: string;
  let repo: AptRepo;
  const timings: Record<string, number> = {};
  const prepVm = (...args: string[]) => ferryOnVm(vm, ['prep-vm', ...args], project);
  const ok = (r: VmRun) => {
    expect(r.code, r.output).toBe(0);
    expect(r.host?.status, r.output).toBe('ok');
    return r;
  };
  const changed = (r: VmRun) => (r.host?.result as { changed: number } | undefined)?.changed;
  /** FERRY_CAPTURE_FIXTURES=dir saves real systemd and sysctl output for the unit tests' fixtures. */
  const capture = async (state: string) => {
    const dir = process.env.FERRY_CAPTURE_FIXTURES;
    if (!dir) return;
    mkdirSync(dir, { recursive: true });
    const show = 'systemctl show -p LoadState -p UnitFileState -p ActiveState -- ferry-demo';
    writeFileSync(join(dir, `service-${state}.txt`), await vm.ssh(show));
    if (state === 'running')
      writeFileSync(
        join(dir, 'sysctl-live.txt'),
        await vm.ssh('sysctl -- vm.swappiness net.ipv4.ip_local_port_range vm.ferry_nope 2>/dev/null || true'),
      );
  };
  const starts = async () =>
    (await vm.ssh('cat /var/lib/ferry-demo/starts 2>/dev/null || true')).split('\n').filter(Boolean);

  beforeAll(async () => {
    assertBuilt();
    const t0 = Date.now();
    const image = await buildImage();
    work = mkdtempSync(join(tmpdir(), 'ferry-vm-prep-'));
    project = join(work, 'project');
    mkdirSync(join(project, 'tasks'), { recursive: true });
    writeFileSync(join(project, 'tasks', 'prep-vm.ts'), TASK);
    const dir = join(work, 'repo');
    mkdirSync(dir);
    buildDeb(dir, demo('1.0'));
    buildDeb(dir, extra);
    writeIndex(dir);
    repo = await serveRepo(dir);
    // two disks per stripe for prep-db-host: XFS wants ≥ 300 MB and a 64 MB log, so 512 MB disks
    const started = await startVm(work, 512);
    vm = started.vm;
    timings['boot to ssh ms'] = started.bootMs;
    // the local repository only: the image's Debian mirror is removed (no outside network in the test)
    await vm.ssh(
      `rm -f /etc/apt/sources.list /etc/apt/sources.list.d/* && echo '${repo.sourceLine}' > /etc/apt/sources.list.d/ferry-test.list`,
    );
    timings['setup total ms'] = Date.now() - t0 - (image.cached ? 0 : image.ms);
  }, 900_000);

  afterAll(async () => {
    if (vm) await vm.stop();
    await repo?.close();
    console.log(`[test/vm] prep timings: ${JSON.stringify(timings)}`);
    if (work && !process.env.FERRY_VM_KEEP) rmSync(work, { recursive: true, force: true });
  }, 180_000);

  it(
    '--dry-run on the fresh VM plans every op (lists never updated: update first) and changes nothing',
    async () => {
      const r = ok(await prepVm('--dry-run'));
      const planned = r.host?.steps.filter((s) => s.status === 'planned').map((s) => s.id) ?? [];
      expect(planned).toEqual([
        'packages ferry-demo,ferry-extra: update',
        'packages ferry-demo,ferry-extra: install',
        'group ferryapp: create',
        'user shop: create',
        'user shop: keys',
        'directory /srv/shop/releases: create',
        'file /etc/ferry-demo.conf: write',
        'file /etc/default/ferry-demo: write',
        'sysctl 60-shop: write',
        'sysctl 60-shop: vm.swappiness',
        'sysctl 60-shop: net.core.somaxconn',
        'service ferry-demo: enable',
        'service ferry-demo: start',
        'handler restart ferry-demo',
      ]);
      expect(r.output).toContain('+greeting v1');
      expect(await vm.ssh('getent passwd shop || echo none')).toBe('none\n');
      expect(await vm.ssh('dpkg-query -W ferry-demo 2>/dev/null || echo none')).toBe('none\n');
      expect(repo.requests).toEqual([]);
      await capture('missing');
    },
    T,
  );

  it(
    'a first run installs from the local repo, creates group and user, starts the service (handler once), applies sysctl',
    async () => {
      const r = ok(await prepVm());
      timings['first run ms'] = r.ms;
      expect(changed(r)).toBe(14);
      expect(r.host?.steps.filter((s) => s.id === 'handler restart ferry-demo')).toHaveLength(1);
      expect(repo.requests).toContain('GET /ferry-demo_1.0_all.deb');
      expect(await vm.ssh(`${STATUS} ferry-demo ferry-extra`)).toBe(
        'ferry-demo 1.0 installed\nferry-extra 1.0 installed\n',
      );
      const [, , uid, , , home, shell] = (await vm.ssh('getent passwd shop')).trim().split(':');
      expect(Number(uid)).toBeLessThan(1000);
      expect([home, shell]).toEqual(['/srv/shop', '/bin/sh']);
      expect((await vm.ssh('id -Gn shop')).trim().split(' ')).toContain('ferryapp');
      expect(await vm.ssh('cat /srv/shop/.ssh/authorized_keys')).toBe(`${KEY}\n`);
      expect(await vm.ssh("stat -c '%a %U' /srv/shop/.ssh /srv/shop/.ssh/authorized_keys /srv/shop/releases")).toBe(
        '700 shop\n600 shop\n750 shop\n',
      );
      expect(await vm.ssh('systemctl is-enabled ferry-demo; systemctl is-active ferry-demo')).toBe('enabled\nactive\n');
      // started by the service op, restarted once by the handler both config files name
      expect(await starts()).toEqual(['greeting v1 color=blue', 'greeting v1 color=blue']);
      expect(await vm.ssh('cat /proc/sys/vm/swappiness /proc/sys/net/core/somaxconn')).toBe('13\n777\n');
      expect(await vm.ssh('cat /etc/sysctl.d/60-shop.conf')).toBe(
        '# managed by ferry: 60-shop\nvm.swappiness = 13\nnet.core.somaxconn = 777\n',
      );
      await capture('running');
    },
    T,
  );

  it(
    'a second run plans nothing: one probe, 0 changes, no restart',
    async () => {
      const r = ok(await prepVm());
      timings['second run ms'] = r.ms;
      expect(changed(r)).toBe(0);
      expect(r.host?.steps.map((s) => s.id)).toEqual(['fact:prep']);
      expect(r.output).toContain('prep: 0 change(s)');
      expect(await starts()).toHaveLength(2);
    },
    T,
  );

  it(
    'the sysctl settings are persisted: what boot applies (systemd-sysctl) brings them back',
    async () => {
      await vm.ssh('sysctl -q -w vm.swappiness=60 net.core.somaxconn=4096');
      expect(await vm.ssh('cat /proc/sys/vm/swappiness')).toBe('60\n');
      await vm.ssh('systemctl restart systemd-sysctl');
      expect(await vm.ssh('cat /proc/sys/vm/swappiness /proc/sys/net/core/somaxconn')).toBe('13\n777\n');
    },
    T,
  );

  it(
    'a changed config: only that file is written and the handler restarts the service once',
    async () => {
      const dry = ok(await prepVm('--dry-run', '--greeting', 'v2'));
      expect(dry.output).toMatch(/-greeting v1\n.*\+greeting v2\n/);
      const r = ok(await prepVm('--greeting', 'v2'));
      expect(r.host?.steps.filter((s) => s.status === 'changed').map((s) => s.id)).toEqual([
        'file /etc/ferry-demo.conf: write',
        'handler restart ferry-demo',
      ]);
      expect(await starts()).toEqual(['greeting v1 color=blue', 'greeting v1 color=blue', 'greeting v2 color=blue']);
      expect(await vm.ssh('systemctl is-active ferry-demo')).toBe('active\n');
    },
    T,
  );

  it(
    'an unknown package is refused, naming it; nothing changes on the host',
    async () => {
      const r = await prepVm('--extra', 'ferry-no-such-package', '--greeting', 'v3');
      expect(r.code).toBe(1);
      expect(r.output).toContain('ferry-no-such-package: unknown package (apt knows no installable version)');
      expect(r.host?.steps.map((s) => s.id)).toEqual(['fact:prep']);
      expect(await vm.ssh('cat /etc/ferry-demo.conf')).toBe('greeting v2\n');
      expect(await starts()).toHaveLength(3);
    },
    T,
  );

  it(
    'latest upgrades from the repository once it has a newer version; remove uninstalls',
    async () => {
      buildDeb(repo.dir, demo('1.1'));
      writeIndex(repo.dir);
      const r = ok(await prepVm('--upgrade', '--greeting', 'v2'));
      expect(r.host?.steps.filter((s) => s.status === 'changed').map((s) => s.id)).toEqual([
        'packages ferry-demo,ferry-extra: update',
        'packages ferry-demo,ferry-extra: install',
        'packages ferry-demo,ferry-extra: remove',
      ]);
      expect(repo.requests).toContain('GET /ferry-demo_1.1_all.deb');
      expect(await vm.ssh(`${STATUS} ferry-demo ferry-extra 2>/dev/null || true`)).not.toContain(
        'ferry-extra 1.0 installed',
      );
      expect(await vm.ssh(`${STATUS} ferry-demo`)).toBe('ferry-demo 1.1 installed\n');
    },
    T,
  );

  it(
    'tasks/prep-db-host.ts: data and logs on stripes of their own, mounted; the folders; a second run changes nothing',
    async () => {
      const params = {
        dataDevices: ['/dev/vdb', '/dev/vdc'],
        logDevices: ['/dev/vdd', '/dev/vde'],
        packages: ['xfsprogs', 'mdadm', 'lvm2'],
        user: 'shop',
      };
      const first = await runTask(vm, prepDbHost, params);
      timings['prep-db-host first run ms'] = first.ms;
      expect(first.report.changes).toBeGreaterThan(20);
      const mounts = await vm.ssh(
        'findmnt -n -o TARGET,FSTYPE -M /mnt/lvm0 && findmnt -n -o TARGET,FSTYPE -M /mnt/logs',
      );
      expect(
        mounts
          .split('\n')
          .filter(Boolean)
          .map((l) => l.trim().split(/\s+/)),
      ).toEqual([
        ['/mnt/lvm0', 'xfs'],
        ['/mnt/logs', 'xfs'],
      ]);
      expect((await vm.ssh('cat /proc/mdstat')).match(/^md\d+ : active raid0/gm)).toHaveLength(2);
      expect(await vm.ssh("stat -c '%a %U %G' /mnt/lvm0/mysql /mnt/logs/mysql /mnt/tmp/mysql")).toBe(
        '750 shop shop\n750 shop shop\n750 shop shop\n',
      );
      expect(await vm.ssh('cat /proc/sys/vm/dirty_ratio')).toBe('15\n');
      const second = await runTask(vm, prepDbHost, params);
      timings['prep-db-host second run ms'] = second.ms;
      expect(second.report.changes).toBe(0);
      if (process.env.FERRY_CAPTURE_FIXTURES) {
        await vm.ssh('systemctl disable --now --quiet ferry-demo');
        await capture('stopped');
      }
    },
    T,
  );
});
