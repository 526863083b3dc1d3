import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fleet, FleetHost } from '../fleet/fleet.js';
import type { CliResult } from '../helpers/ferry-cli.js';
import { fleetSkipReason } from '../helpers/skip.js';
import { waitFor } from '../helpers/wait-for.js';
import {
  buildMini,
  currentMini,
  type RelayReport,
  runCounting,
  sentBytes,
  startMiniFleet,
} from '../helpers/relay-fixture.js';
import type { DemoProject } from '../helpers/demo-project.js';

const skip = fleetSkipReason();
const HOSTS = 10;
const K = 2;
const PAD = 2_000_000;
/** hosts without python3 in the first case (h1, h2: likely among the first to upload, i.e. seeds) */
const NO_PY = ['h1', 'h2', 'h7'];

/**
 * Take python3 away on one host, as an image without it would: inside the host's own mount
 * namespace an overlay over /usr/bin whose top layer holds whiteouts for python3 and python3.11,
 * so a shell's PATH lookup finds nothing (`python3: command not found`, exit 127). /bin is a
 * symlink to /usr/bin here; nothing else on PATH holds a python3 (asserted below).
 */
async function hidePython(fleet: Fleet, h: FleetHost): Promise<void> {
  const wh = '/tmp/.ferry-test-no-python3';
  const r = await fleet.exec(
    h,
    `mkdir -p ${wh} && for f in /usr/bin/python3 /usr/bin/python3.*[0-9]; do mknod ${wh}/"$(basename "$f")" c 0 0; done` +
      ` && mount -t overlay ferry-test-no-python3 -o lowerdir=${wh}:/usr/bin /usr/bin`,
  );
  expect(r.code, r.stderr).toBe(0);
}

describe.skipIf(skip)(`--relay ${K} on a ${HOSTS}-host fleet where python3 is missing`, () => {
  let fleet: Fleet;
  let proj: DemoProject;
  let flags: string[];
  let n = 0;
  let mountinfo = '';
  const json = () => join(proj.dir, `.r${++n}.json`);
  const report = async (f: string) => JSON.parse(await readFile(f, 'utf8')) as RelayReport;
  const current = currentMini;
  const sent = sentBytes;
  const steps = (rep: RelayReport, host: string, id: string) =>
    rep.hosts.find((h) => h.host === host)?.steps.filter((s) => s.id === id) ?? [];
  const args = (...more: string[]) => ['--project', proj.dir, ...flags, ...more];
  const python = async (h: FleetHost) => fleet.exec(h, 'python3 -c "print(6*7)"');
  const build = (tag: string) => buildMini(args, proj.dir, tag);
  /** every host runs the release, and its cached artifact hashes to what was built */
  const allStaged = (b: { id: string; sha256: string }) => {
    for (const h of fleet.hosts) {
      expect(current(h), h.name).toBe(b.id);
      const cached = readFileSync(join(h.root, 'srv/mini/.ferry/bundles', `${b.sha256}.tar.gz`));
      expect(createHash('sha256').update(cached).digest('hex'), h.name).toBe(b.sha256);
    }
  };

  beforeAll(async () => {
    ({ fleet, proj, flags } = await startMiniFleet(HOSTS, PAD));
  }, 300_000);
  afterAll(async () => {
    await fleet?.stop();
  });

  it('python3 hidden on 3 hosts: a real "command not found" there, python3 untouched elsewhere', async () => {
    const which = await fleet.exec(fleet.host('h1'), 'IFS=:; for d in $PATH; do ls "$d"/python3 2>/dev/null; done');
    expect(which.stdout.trim().split('\n')).toEqual(['/usr/bin/python3', '/bin/python3']);
    mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
    for (const name of NO_PY) await hidePython(fleet, fleet.host(name));
    for (const h of fleet.hosts) {
      const r = await python(h);
      if (NO_PY.includes(h.name)) {
        expect(r.code, h.name).toBe(127);
        expect(r.stderr, h.name).toContain('python3: command not found');
      } else expect([r.code, r.stdout.trim()], h.name).toEqual([0, '42']);
    }
    // the overlays live in the hosts' namespaces only: this process sees its mounts unchanged
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).toBe(mountinfo);
    expect(spawnSync('/usr/bin/python3', ['-c', 'print(6*7)'], { encoding: 'utf8' }).stdout.trim()).toBe('42');
  }, 60_000);

  it(`missing on ${NO_PY.length} hosts: those are pushed, the others relayed; ≤ ${K}+${NO_PY.length} copies sent`, async () => {
    const b = await build('v1');
    const f = json();
    const { r, wchar } = await runCounting(
      args('--json', f, 'deploy', 'mini', '--tag', 'v1', '--relay', String(K)),
      proj.dir,
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const rep = await report(f);
    expect(rep.hosts.filter((h) => h.status === 'ok')).toHaveLength(HOSTS);
    allStaged(b);
    const uploaded = rep.hosts.filter((h) => steps(rep, h.host, 'upload').length).map((h) => h.host);
    // every host without python3 got it from the control machine: a seed, or after its fetch found no python3
    for (const name of NO_PY) {
      expect(uploaded, name).toContain(name);
      for (const s of steps(rep, name, 'relay-fetch')) expect(s.exitCode, name).toBe(127);
    }
    // the others: at most K of them seeds, the rest fetched from another host and verified it
    const relayed = fleet.hosts.map((h) => h.name).filter((x) => !uploaded.includes(x));
    expect(uploaded.filter((x) => !NO_PY.includes(x)).length).toBeLessThanOrEqual(K);
    for (const name of relayed) {
      expect(NO_PY, name).not.toContain(name);
      expect(steps(rep, name, 'relay-fetch').at(-1)?.exitCode, name).toBe(0);
    }
    expect(relayed.length).toBeGreaterThanOrEqual(HOSTS - K - NO_PY.length);
    expect(sent(rep)).toBe(uploaded.length * b.size);
    expect(wchar).toBeLessThan((K + NO_PY.length + 1) * b.size);
  }, 300_000);

  it('the seeds are hosts without python3: their slots go to hosts that have it, ≤ k+3 copies still', async () => {
    const b = await build('v2');
    const f = json();
    const logs = join(proj.dir, '.ferry', 'logs');
    const seen = new Set(existsSync(logs) ? readdirSync(logs) : []);
    // the hosts with python3 get no SSH banner until the others were pushed to and could not serve
    const late = fleet.hosts.filter((h) => !NO_PY.includes(h.name));
    for (const h of late) process.kill(h.pid, 'SIGSTOP');
    let counted: Promise<{ r: CliResult; wchar: number }>;
    try {
      counted = runCounting(args('--json', f, 'deploy', 'mini', '--tag', 'v2', '--relay', String(K)), proj.dir);
      await waitFor(
        () => {
          const run = existsSync(logs) ? readdirSync(logs).find((d) => !seen.has(d)) : undefined;
          const log = (name: string) => join(logs, run ?? '-', `${name}.log`);
          const ended = (name: string) =>
            existsSync(log(name)) && readFileSync(log(name), 'utf8').includes('relay: the server ended with exit 127');
          return run !== undefined && NO_PY.every(ended);
        },
        { timeoutMs: 60_000, what: 'the hosts without python3 to be pushed to and fail to serve' },
      );
    } finally {
      for (const h of late) process.kill(h.pid, 'SIGCONT');
    }
    const { r, wchar } = await counted;
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const rep = await report(f);
    allStaged(b);
    const uploaded = rep.hosts.filter((h) => steps(rep, h.host, 'upload').length).map((h) => h.host);
    expect(uploaded.filter((x) => NO_PY.includes(x)).sort()).toEqual([...NO_PY].sort());
    expect(uploaded.length).toBeLessThanOrEqual(K + NO_PY.length);
    for (const h of late.filter((x) => !uploaded.includes(x.name)))
      expect(steps(rep, h.name, 'relay-fetch').at(-1)?.exitCode, h.name).toBe(0);
    expect(sent(rep)).toBe(uploaded.length * b.size);
    expect(wchar).toBeLessThan((K + NO_PY.length + 1) * b.size);
  }, 300_000);

  it('missing on every host: no relay server comes up, every host gets the plain push; all staged, exit 0', async () => {
    for (const h of fleet.hosts.filter((x) => !NO_PY.includes(x.name))) await hidePython(fleet, h);
    for (const h of fleet.hosts) expect((await python(h)).code, h.name).toBe(127);
    const b = await build('v3');
    const f = json();
    const { r, wchar } = await runCounting(
      args('--json', f, 'deploy', 'mini', '--tag', 'v3', '--relay', String(K)),
      proj.dir,
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const rep = await report(f);
    expect(rep.hosts.filter((h) => h.status === 'ok')).toHaveLength(HOSTS);
    allStaged(b);
    // the plain push, as without --relay: one copy per host
    expect(sent(rep)).toBe(HOSTS * b.size);
    expect(wchar).toBeGreaterThan(HOSTS * b.size);
    for (const h of fleet.hosts) {
      expect(steps(rep, h.name, 'upload'), h.name).toHaveLength(1);
      for (const s of steps(rep, h.name, 'relay-fetch')) expect(s.exitCode, h.name).toBe(127);
    }
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).toBe(mountinfo);
  }, 300_000);
});
