import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../fleet/fleet.js';
import { ferry, fleetFlags, startFerry, type CliResult } from '../helpers/ferry-cli.js';
import { waitFor } from '../helpers/wait-for.js';
import { fleetSkipReason } from '../helpers/skip.js';
import { makeDemoProject, DEMO_ATTRS, type DemoProject } from '../helpers/demo-project.js';
import { checkCurrent } from '../helpers/release-check.js';

const skip = fleetSkipReason();

/** Connections waiting in a host's sshd accept queue (Recv-Q of its listening socket). */
function acceptQueue(h: { address: string; port: number }): number {
  const out = spawnSync('ss', ['-Hltn', 'src', `${h.address}:${h.port}`], { encoding: 'utf8' }).stdout;
  return Number(out.trim().split(/\s+/)[1] ?? 0);
}

/** Issue 12 part 5: racing deploys, and what an interrupted upload leaves behind. */
describe.skipIf(skip)('locks and leftovers on a 4-host fleet', () => {
  let fleet: Fleet;
  let proj: DemoProject;
  let flags: string[];
  const tags = ['v1.0.0', 'v1.1.0', 'v1.2.0'];
  const args = (tag: string) => ['--project', proj.dir, ...flags, 'deploy', 'demo', '--tag', tag, '--roles', 'app'];
  const run = (tag: string) => ferry(args(tag), { timeoutMs: 240_000 });
  const current = (h: { root: string }) => readlinkSync(join(h.root, 'srv/demo/current')).replace('releases/', '');
  const lockGone = () => fleet.hosts.every((h) => !existsSync(join(h.root, 'srv/demo/.ferry/lock')));

  beforeAll(async () => {
    fleet = await startFleet({ hosts: 4, extraInventory: { defaults: DEMO_ATTRS } });
    proj = await makeDemoProject(readFileSync(fleet.inventoryFile, 'utf8'));
    flags = fleetFlags({ ...fleet, inventoryFile: join(proj.dir, 'inventory.yaml') });
    for (const [i, tag] of [...tags, 'v1.3.0'].entries()) {
      await proj.setVersion(`1.${i}.0`);
      proj.tag(tag);
    }
    // every tag built once (the local build cache is not what races here)
    for (const tag of tags) {
      const r = await run(tag);
      expect(r.code, r.stdout + r.stderr).toBe(0);
    }
  }, 600_000);
  afterAll(async () => {
    await fleet?.stop();
  });

  it('10 races of two deploys: exactly one proceeds, the other exits 4 naming it; no host on a mixed state', async () => {
    let split = 0;
    for (let race = 0; race < 10; race++) {
      const live = current(fleet.hosts[0]!);
      const [a, b] = tags.filter((t) => !live.startsWith(`demo-${t}-`)) as [string, string];
      // work for both: on some hosts drop the cached artifacts and every release but the live one
      for (const h of fleet.hosts) {
        if (Math.random() < 0.5) continue;
        await rm(join(h.root, 'srv/demo/.ferry/bundles'), { recursive: true, force: true });
        for (const d of readdirSync(join(h.root, 'srv/demo/releases')))
          if (d !== current(h)) await rm(join(h.root, 'srv/demo/releases', d), { recursive: true, force: true });
      }
      // a real race, not two processes a CLI start-up apart: each host's sshd listener is stopped until
      // both deploys wait in its accept queue, then all are let go at once
      const listeners = fleet.hosts.map((h) => h.pid);
      for (const pid of listeners) process.kill(pid, 'SIGSTOP');
      let runs: ReturnType<typeof startFerry>[];
      try {
        runs = [startFerry(args(a)), startFerry(args(b))];
        await waitFor(() => fleet.hosts.every((h) => acceptQueue(h) >= 2), {
          timeoutMs: 30_000,
          what: 'both deploys to connect to every host',
        });
      } finally {
        for (const pid of listeners) process.kill(pid, 'SIGCONT');
      }
      const [ra, rb] = (await Promise.all(runs.map((r) => r.done))) as [CliResult, CliResult];
      const codes = [ra.code, rb.code].sort();
      expect(codes, `race ${race}:\n${ra.stdout}${ra.stderr}\n---\n${rb.stdout}${rb.stderr}`).toEqual([0, 4]);
      const [winner, loser] = ra.code === 0 ? [a, rb] : [b, ra];
      expect(loser.stdout + loser.stderr).toMatch(new RegExp(`held by .*ferry.* deploy demo --tag ${winner}`));
      if (/not staged: on|waiting for it to give up/.test(ra.stdout + rb.stdout)) split++;
      for (const h of fleet.hosts) {
        expect(current(h), `race ${race} ${h.name}`).toMatch(new RegExp(`^demo-${winner.replace(/\./g, '\\.')}-`));
        expect(checkCurrent(h.root, 'demo').complete).toBe(true);
      }
      expect(lockGone()).toBe(true);
    }
    console.log(`races: 10, each host's lock taken by both deploys (then sorted out) in ${split}`);
  }, 600_000);

  it('an upload killed by a full disk leaves no part; once there is room a deploy succeeds and none remains', async () => {
    const h = fleet.hosts[0]!;
    const bundles = '/srv/demo/.ferry/bundles';
    const parts = async () =>
      (await fleet.exec(h, `ls -A ${bundles}`)).stdout.split('\n').filter((f) => f.includes('.part'));
    // a small filesystem over the host's artifact cache (in its own mount namespace), filled up
    const m = await fleet.exec(h, `mkdir -p ${bundles} && mount -t tmpfs -o size=1m ferry-full ${bundles}`);
    expect(m.code, m.stderr).toBe(0);
    try {
      const fill = await fleet.exec(h, `cat /dev/zero > ${bundles}/filler`);
      expect(fill.stderr).toMatch(/No space left on device/);
      const before = fleet.hosts.map(current);
      const full = await run('v1.3.0');
      expect(full.code, full.stdout + full.stderr).toBe(1);
      expect(full.stdout + full.stderr).toMatch(new RegExp(`\\[${h.name}\\].*No space left on device`));
      expect(fleet.hosts.map(current)).toEqual(before);
      expect(lockGone()).toBe(true);
      expect(await parts()).toEqual([]);
      // space freed; a part a killed run left (no chance to clean up): the next deploy removes it
      await fleet.exec(h, `rm -f ${bundles}/filler`);
      await fleet.exec(h, `head -c 300000 /dev/zero > ${bundles}/${'0'.repeat(64)}.tar.gz.part-killedrun`);
      expect(await parts()).toHaveLength(1);
      const ok = await run('v1.3.0');
      expect(ok.code, ok.stdout + ok.stderr).toBe(0);
      for (const x of fleet.hosts) expect(current(x)).toMatch(/^demo-v1\.3\.0-/);
      expect(await parts()).toEqual([]);
      expect((await fleet.exec(h, `ls -A ${bundles}`)).stdout).toMatch(/^[0-9a-f]{64}\.tar\.gz\n$/);
    } finally {
      await fleet.exec(h, `umount ${bundles}`);
    }
  }, 600_000);
});
