import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localSh } from '../../helpers/local-sh.js';
import { describe, expect, it } from 'vitest';
import { prep } from '../../../src/index.js';
import { render, sh } from '../../../src/shell/command.js';
import {
  listAgeScript,
  parseAptPolicy,
  parsePackagesFacts,
  planPackages,
  type PackagesFacts,
} from '../../../src/ops/prep/packages.js';
import { splitSections } from '../../../src/facts/storage/sections.js';
import { planUser, type UserFacts } from '../../../src/ops/prep/user.js';
import { parseServiceFacts, planService } from '../../../src/ops/prep/service.js';
import { parseSysctlLines } from '../../../src/ops/prep/sysctl.js';
import { planGroup } from '../../../src/ops/prep/group.js';
import { planPrep, toOps } from '../../../src/ops/prep/plan.js';
import { planLocal } from './helpers.js';

/** a captured one-op probe's sections, as ctx.apply hands them to the op */
const sectionsOf = (stdout: string) => (name: string) => splitSections(stdout).get(`0.${name}`) || undefined;
const fx = (name: string) => readFileSync(new URL(`../../fixtures/prep/${name}`, import.meta.url), 'utf8');

describe('prep.packages from captured facts (Debian 12 control machine)', () => {
  const op = prep.packages({ install: ['coreutils', 'ferry-no-such-package'], latest: ['sed'], remove: ['ed'] });
  const facts = () => planPrep(toOps([op]), fx('packages-probe.txt')).ops[0]!;

  it('parses dpkg (installed) and apt-cache policy (asked only for the rest and latest); unknown ones are missing', () => {
    const p = parsePackagesFacts(sectionsOf(fx('packages-probe.txt'))).packages;
    expect(p.get('sed')).toEqual({ installed: '4.9-1', candidate: '4.9-1+deb12u1' });
    expect(p.get('coreutils')).toEqual({ installed: 'installed', candidate: undefined });
    expect(p.has('ferry-no-such-package')).toBe(false);
    expect(parseAptPolicy(fx('packages-probe.txt')).has('coreutils')).toBe(false);
  });

  it('refuses an unknown package when the lists are fresh (nothing runs)', () => {
    expect(facts().plan.refusals).toEqual([
      {
        subject: 'ferry-no-such-package',
        reason: 'unknown package (apt knows no installable version)',
        forceable: false,
      },
    ]);
  });

  it('one apt-get for all missing, latest upgrades, remove; update only when lists are older than the bound', () => {
    const f: PackagesFacts = parsePackagesFacts(sectionsOf(fx('packages-probe.txt')));
    const fresh = planPackages({ install: ['coreutils'], latest: ['sed'], remove: ['ed'] }, f);
    expect(fresh.steps.map((s) => render(s.command, { masked: false }))).toEqual([
      'env DEBIAN_FRONTEND=noninteractive apt-get -q -y install --no-install-recommends sed',
      'env DEBIAN_FRONTEND=noninteractive apt-get -q -y remove ed',
    ]);
    const stale = planPackages({ install: ['coreutils', 'ferry-no-such-package'], maxListAgeSeconds: 600 }, f);
    expect(stale.steps.map((s) => s.title)).toEqual([
      'apt-get update (lists 1 h old)',
      'install ferry-no-such-package',
    ]);
    expect(planPackages({ install: ['coreutils'] }, f).steps).toEqual([]);
    // latest on stale lists cannot know the candidate: update, then install (apt upgrades if newer)
    expect(planPackages({ latest: ['sed'], maxListAgeSeconds: 600 }, f).steps.map((s) => s.title)).toEqual([
      'apt-get update (lists 1 h old)',
      'install sed',
    ]);
    expect(planPackages({ install: ['x'] }, { ...f, apt: false }).refusals[0]?.reason).toBe('no apt-get on this host');
  });

  it('list age: nothing while no index exists (a fresh image), else seconds since the newest update mark', async () => {
    const lists = await mkdtemp(join(tmpdir(), 'ferry-lists-'));
    const age = async () => {
      const r = await localSh(sh(`{ ${listAgeScript(lists, join(lists, 'pkgcache.bin'))} ; } 2>/dev/null || true`));
      return r.stdout;
    };
    try {
      await mkdir(join(lists, 'partial'));
      expect(await age()).toBe('');
      await writeFile(join(lists, 'deb.example_._Packages'), '');
      const old = new Date(Date.now() - 7200_000);
      for (const p of ['partial', '', 'deb.example_._Packages']) await utimes(join(lists, p), old, old);
      expect(Number(await age())).toBeGreaterThanOrEqual(7200);
      expect(Number(await age())).toBeLessThan(7300);
    } finally {
      await rm(lists, { recursive: true, force: true });
    }
  });

  it('probes the real local apt (read-only): an installed package plans nothing', async () => {
    const plan = await planLocal([prep.packages({ install: ['coreutils', 'sed'] })]);
    expect(plan.steps).toEqual([]);
    expect(plan.unchanged).toHaveLength(2);
  });

  it('bad input', () => {
    expect(() => prep.packages({})).toThrow(/prep\.packages: name at least one package/);
    expect(() => prep.packages({ install: ['nginx; rm -rf /'] })).toThrow(/is not a package name/);
  });
});

describe('prep.user', () => {
  const none: UserFacts = {
    passwd: undefined,
    groups: [],

    homeStat: undefined,
    authorizedKeys: undefined,
  };
  const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK0wmN/Cr3JXqmLW7u+g9pTh+wyqDHpSQEQQ5 deploy@ci';

  it('creates a missing system user with home, shell, groups and exactly its keys', () => {
    const plan = planUser(
      {
        name: 'shop',
        system: true,
        home: '/srv/shop',
        shell: '/bin/bash',
        groups: ['www-data'],
        authorizedKeys: [key],
      },
      none,
    );
    expect(plan.steps.map((s) => render(s.command, { masked: false }).split(' && ')[0])).toEqual([
      'useradd --system --create-home --home-dir /srv/shop --shell /bin/bash --groups www-data shop',
      'mkdir -p -- /srv/shop/.ssh',
    ]);
    expect(new TextDecoder().decode(plan.steps[1]?.stdin as Uint8Array)).toBe(`${key}\n`);
    expect(plan.diff).toContain(`+${key}\n`);
  });

  it('root as probed here (captured): exists, nothing to do; keys managed exactly means replacing extras', () => {
    const [p] = planPrep(toOps([prep.user({ name: 'root', authorizedKeys: [] })]), fx('user-root-probe.txt')).ops;
    expect(p?.plan.steps.map((s) => s.id)).toEqual(['user root: keys']);
    const f: UserFacts = {
      passwd: { uid: 0, gid: 0, home: '/root', shell: '/bin/bash' },
      groups: ['root'],
      homeStat: { type: 'directory', mode: '700', owner: 'root', group: 'root', size: 4096 },
      authorizedKeys: undefined,
    };
    expect(planUser({ name: 'root', shell: '/bin/bash' }, f).steps).toEqual([]);
    expect(planUser({ name: 'root', groups: ['adm'] }, f).steps.map((s) => s.title)).toEqual(['add root to adm']);
  });

  it('bad input: an invalid user name, a relative home, a key that is not one line', () => {
    expect(() => prep.user({ name: 'Shop User' })).toThrow(
      /prep\.user: name "Shop User" is not a valid user\/group name/,
    );
    expect(() => prep.user({ name: 'shop', home: 'srv/shop' })).toThrow(/home "srv\/shop" must be an absolute path/);
    expect(() => prep.user({ name: 'shop', authorizedKeys: ['not a key'] })).toThrow(/is not one authorized_keys line/);
  });
});

describe('prep.group', () => {
  it('groupadd only when missing', () => {
    expect(planGroup({ name: 'shop', system: true }, false).steps[0]?.title).toBe('create system group shop');
    expect(planGroup({ name: 'shop' }, true).steps).toEqual([]);
  });
});

describe('prep.service and prep.sysctl from facts captured in the qemu VM (systemd 252)', () => {
  const vm = (name: string) => fx(`vm/${name}`);
  const show = (name: string) => (section: string) =>
    section === 'systemd' ? 'yes\n' : section === 'show' ? vm(name) : undefined;
  const o = { name: 'ferry-demo.service', enabled: true, running: true };
  it('a unit its package has not brought yet, one enabled and running, one disabled and stopped', () => {
    expect(parseServiceFacts(show('service-missing.txt'))).toEqual({ systemd: true, enabled: '', active: 'inactive' });
    expect(planService(o, parseServiceFacts(show('service-running.txt'))).steps).toEqual([]);
    expect(planService(o, parseServiceFacts(show('service-stopped.txt'))).steps.map((s) => s.id)).toEqual([
      'service ferry-demo.service: enable',
      'service ferry-demo.service: start',
    ]);
    const missing = planService(o, parseServiceFacts(show('service-missing.txt')));
    expect(missing.unlessEarlierChange?.subject).toBe('ferry-demo.service');
  });
  it("sysctl's own lines: tabs kept inside a value, an unknown key absent", () => {
    const live = parseSysctlLines(vm('sysctl-live.txt'), [
      'vm.swappiness',
      'net.ipv4.ip_local_port_range',
      'vm.ferry_nope',
    ]);
    expect([...live]).toEqual([
      ['vm.swappiness', '13'],
      ['net.ipv4.ip_local_port_range', '32768\t60999'],
    ]);
  });
});

describe('prep.service (systemd only)', () => {
  it('refuses clearly without systemd — as on this machine and the test fleet', async () => {
    const plan = await planLocal([prep.service({ name: 'nginx', enabled: true, running: true })]);
    expect(plan.refusals[0]?.reason).toMatch(/^no systemd on this host \(\/run\/systemd\/system missing\)/);
  });
  it('enables and starts only what is not so', () => {
    const o = { name: 'nginx', enabled: true, running: true };
    expect(
      planService(o, { systemd: true, enabled: 'disabled', active: 'inactive' }).steps.map((s) => s.title),
    ).toEqual(['enable nginx', 'start nginx (was inactive)']);
    expect(planService(o, { systemd: true, enabled: 'enabled', active: 'active' }).steps).toEqual([]);
    // a unit not installed yet: planned, but refused unless an earlier op changes something (its package)
    const missing = planService(o, { systemd: true, enabled: '', active: 'inactive' });
    expect(missing.steps.map((s) => s.title)).toEqual(['enable nginx', 'start nginx']);
    expect(missing.unlessEarlierChange?.reason).toMatch(/^no such systemd unit/);
    expect(planService({ name: 'x', running: false }, { systemd: true, enabled: '', active: '' }).unchanged).toEqual([
      'x: no such unit',
    ]);
    expect(planService(o, { systemd: true, enabled: 'masked', active: 'inactive' }).refusals[0]?.reason).toBe(
      'unit is masked',
    );
  });
  it('in one apply: a unit refused alone, planned after a package install that may ship it', () => {
    const facts = (i: number) =>
      `\n@@ferry:${i}.systemd@@\nyes\n@@ferry:${i}.show@@\nLoadState=not-found\nActiveState=inactive\nUnitFileState=\n`;
    const svc = prep.service({ name: 'ferry-demo', enabled: true, running: true });
    const alone = planPrep(toOps([svc]), facts(0));
    expect(alone.steps).toEqual([]);
    expect(alone.refusals.map((r) => r.subject)).toEqual(['ferry-demo']);
    const pkg = prep.packages({ install: ['ferry-demo'] });
    const pkgFacts =
      '\n@@ferry:0.apt@@\n/usr/bin/apt-get\n@@ferry:0.age@@\n60\n@@ferry:0.policy@@\n' +
      'ferry-demo:\n  Installed: (none)\n  Candidate: 1.0\n';
    const after = planPrep(toOps([pkg, svc]), pkgFacts + facts(1));
    expect(after.refusals).toEqual([]);
    expect(after.steps.map((s) => s.id)).toEqual([
      'packages ferry-demo: install',
      'service ferry-demo: enable',
      'service ferry-demo: start',
    ]);
  });
  it('bad input', () => {
    expect(() => prep.service({ name: 'nginx' })).toThrow(/say enabled and\/or running/);
    expect(() => prep.service({ name: 'a b', running: true })).toThrow(/is not a unit name/);
  });
});
