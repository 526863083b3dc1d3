import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fleet } from '../fleet/fleet.js';
import { mountNamespaceOf } from '../fleet/processes.js';
import { startFerry } from '../helpers/ferry-cli.js';
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
const HOSTS = 20;
const K = 2;
const PAD = 4_000_000;

describe.skipIf(skip)(`--relay ${K} on a ${HOSTS}-host fleet`, () => {
  let fleet: Fleet;
  let proj: DemoProject;
  let flags: string[];
  let size = 0;
  let n = 0;
  const json = () => join(proj.dir, `.r${++n}.json`);
  const report = async (f: string) => JSON.parse(await readFile(f, 'utf8')) as RelayReport;
  const current = currentMini;
  const sent = sentBytes;
  const args = (...more: string[]) => ['--project', proj.dir, ...flags, ...more];
  const build = (tag: string) => buildMini(args, proj.dir, tag);

  beforeAll(async () => {
    ({ fleet, proj, flags } = await startMiniFleet(HOSTS, PAD));
  }, 300_000);
  afterAll(async () => {
    await fleet?.stop();
  });

  it('control: a plain push sends the artifact once per host', async () => {
    size = (await build('v1')).size; // built by another process: the deploy's own writes are its uploads
    expect(size).toBeGreaterThan(PAD);
    const f = json();
    const { r, wchar } = await runCounting(args('--json', f, 'deploy', 'mini', '--tag', 'v1'), proj.dir);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(sent(await report(f))).toBe(HOSTS * size);
    expect(wchar).toBeGreaterThan(HOSTS * size);
  }, 300_000);

  it(`relayed: the control machine sends ≤ ${K} copies, every host verifies and stages it`, async () => {
    const b = await build('v2');
    const f = json();
    const { r, wchar } = await runCounting(
      args('--json', f, 'deploy', 'mini', '--tag', 'v2', '--relay', String(K)),
      proj.dir,
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const rep = await report(f);
    expect(sent(rep)).toBe(K * b.size);
    // counted independently of ferry's own accounting: every byte the process wrote
    expect(wchar).toBeLessThan((K + 1) * b.size);
    const fetched = rep.hosts.filter((h) => h.steps.some((s) => s.id === 'relay-fetch' && s.status !== 'failed'));
    const uploaded = rep.hosts.filter((h) => h.steps.some((s) => s.id === 'upload'));
    expect(uploaded).toHaveLength(K);
    expect(fetched).toHaveLength(HOSTS - K);
    for (const h of fleet.hosts) {
      expect(current(h)).toBe(b.id);
      const cached = readFileSync(join(h.root, 'srv/mini/.ferry/bundles', `${b.sha256}.tar.gz`));
      expect(createHash('sha256').update(cached).digest('hex'), h.name).toBe(b.sha256);
    }
    // no relay server outlives the deploy
    expect(readdirSync('/proc').filter((p) => /^\d+$/.test(p) && cmdline(p).includes('tok=sys.stdin'))).toEqual([]);
  }, 300_000);

  it('a relay host killed mid-transfer: the others stage from other sources, nothing switched', async () => {
    const b = await build('v3');
    const before = fleet.hosts.map(current);
    const f = json();
    const logs = join(proj.dir, '.ferry', 'logs');
    const seen = new Set(existsSync(logs) ? readdirSync(logs) : []);
    const p = startFerry(
      args('--json', f, 'deploy', 'mini', '--tag', 'v3', '--relay', String(K), '--relay-rate', '1'),
      {
        cwd: proj.dir,
        timeoutMs: 240_000,
      },
    );
    // the first host seen sending to another is the one to kill
    const victim = await waitFor(
      () => {
        const run = existsSync(logs) ? readdirSync(logs).find((d) => !seen.has(d)) : undefined;
        if (!run) return undefined;
        for (const file of readdirSync(join(logs, run))) {
          if (readFileSync(join(logs, run, file), 'utf8').includes('relay: send ')) return file.replace(/\.log$/, '');
        }
        return undefined;
      },
      { timeoutMs: 60_000, what: 'a relay transfer to start' },
    );
    const host = fleet.host(victim);
    for (const pid of readdirSync('/proc').filter((x) => /^\d+$/.test(x)))
      if (mountNamespaceOf(pid) === host.mountNamespace) process.kill(Number(pid), 'SIGKILL');
    const r = await p.done;
    expect(r.code, r.stdout + r.stderr).not.toBe(0);
    expect(r.stdout).toContain(`[${victim}]`);
    const rep = await report(f);
    const others = fleet.hosts.filter((h) => h.name !== victim);
    for (const h of others) {
      expect(rep.hosts.find((x) => x.host === h.name)?.status, h.name).toBe('ok');
      expect(statSync(join(h.root, 'srv/mini/releases', b.id)).isDirectory(), h.name).toBe(true);
    }
    // some receiver lost its source and fetched again from another
    expect(rep.hosts.some((h) => h.steps.filter((s) => s.id === 'relay-fetch').length > 1)).toBe(true);
    expect(sent(rep)).toBeLessThanOrEqual(K * b.size);
    expect(others.map(current)).toEqual(before.filter((_, i) => fleet.hosts[i]?.name !== victim));
  }, 300_000);
});

function cmdline(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}
