import { readFileSync } from 'node:fs';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { Fleet } from '../../test/fleet/fleet.js';
import { assertOk, measure, type Measured } from '../lib/measure.js';
import { FERRY_BIN } from '../lib/paths.js';
import { rowsFor, type Row } from '../lib/report.js';
import { median } from '../lib/stats.js';
import { stepBreakdown } from '../lib/step-breakdown.js';
import { withFleet } from '../lib/with-fleet.js';
import type { SectionContext } from './context.js';
import { sshOptions } from './fanout-peers.js';
import { builtArtifact, cachedRandom, freeBytes, makeBlobProject } from './push-project.js';

const HOSTS = 10;
const MB = 1024 * 1024;
const SMALL = 50 * MB;

interface DeployRun {
  m: Measured;
  /** ferry's per-step times from its --json report */
  steps: string;
  /** max channels over the hosts */
  channels: number;
}

function ferryArgs(fleet: Fleet, project: string, json: string, ...rest: string[]): string[] {
  return [
    FERRY_BIN,
    '--project',
    project,
    '--known-hosts',
    fleet.knownHosts,
    '-i',
    fleet.clientKey,
    '-j',
    String(HOSTS),
    '--json',
    json,
    ...rest,
  ];
}

async function deploy(fleet: Fleet, project: string, timeoutMs: number): Promise<DeployRun> {
  const json = join(project, '.deploy-report.json');
  const m = assertOk(
    'ferry deploy blob',
    await measure(
      process.execPath,
      ferryArgs(fleet, project, json, 'deploy', 'blob', '--tag', 'v1', '--roles', 'app'),
      { timeoutMs },
    ),
  );
  const report = JSON.parse(await readFile(json, 'utf8')) as {
    hosts: Array<{ host: string; status: string; channels: number }>;
  };
  const bad = report.hosts.filter((h) => h.status !== 'ok');
  if (bad.length || report.hosts.length !== HOSTS)
    throw new Error(
      `deploy: ${report.hosts.length} hosts, not ok: ${bad.map((h) => `${h.host}:${h.status}`).join(' ')}`,
    );
  return { m, channels: Math.max(...report.hosts.map((h) => h.channels)), steps: await stepBreakdown(json) };
}

async function wipe(fleet: Fleet, path: string): Promise<void> {
  await Promise.all(fleet.hosts.map((h) => rm(join(h.root, path), { recursive: true, force: true })));
}

async function build(fleet: Fleet, project: string, timeoutMs: number): Promise<Measured> {
  return assertOk(
    'ferry bundle build blob',
    await measure(
      process.execPath,
      ferryArgs(fleet, project, join(project, '.build.json'), 'bundle', 'build', 'blob', '--tag', 'v1'),
      { timeoutMs },
    ),
  );
}

/** A 50 MB artifact to 10 hosts (ferry vs parallel-scp), an unchanged redeploy, and ferry's peak RSS pushing 1 GB. */
export async function push(ctx: SectionContext): Promise<Row[]> {
  const { rows, add } = rowsFor('push', ctx.rows);
  const free = freeBytes(tmpdir());
  const big = free >= 40 * 1024 * MB ? 1024 * MB : 512 * MB;
  if (big < 1024 * MB)
    ctx.note(
      `only ${(free / 1024 ** 3).toFixed(0)} GB free under ${tmpdir()}: the peak-RSS run pushes 512 MB instead of 1 GB`,
    );
  const projects: string[] = [];
  try {
    await withFleet({ hosts: HOSTS }, async (fleet) => {
      const inventory = readFileSync(fleet.inventoryFile, 'utf8');
      const small = await makeBlobProject(inventory, await cachedRandom(SMALL));
      projects.push(small);
      const b = await build(fleet, small, 300_000);
      ctx.log(`bundle build (50 MB): ${b.wallS.toFixed(2)} s`);
      const artifact = builtArtifact(small);
      const size = (await stat(artifact)).size;
      const first: DeployRun[] = [];
      const again: DeployRun[] = [];
      const pscp: number[] = [];
      const hostsFile = join(small, '.pscp-hosts');
      await writeFile(hostsFile, `${fleet.hosts.map((h) => `root@${h.address}:${h.port}`).join('\n')}\n`);
      const sshOpts = sshOptions(fleet).join(' ');
      for (let i = 0; i < ctx.runs; i++) {
        await wipe(fleet, 'srv/blob');
        const f = await deploy(fleet, small, 300_000);
        first.push(f);
        const r = await deploy(fleet, small, 120_000);
        again.push(r);
        await wipe(fleet, 'srv/blobtest.tar.gz');
        const p = await measure(
          '/usr/bin/parallel-scp',
          ['-p', String(HOSTS), '-t', '300', '-h', hostsFile, '-x', sshOpts, artifact, '/srv/blobtest.tar.gz'],
          { timeoutMs: 300_000 },
        );
        assertOk('parallel-scp', p);
        const copied = await Promise.all(
          fleet.hosts.map(async (h) => (await stat(join(h.root, 'srv/blobtest.tar.gz'))).size),
        );
        if (copied.some((c) => c !== size)) throw new Error('parallel-scp: a copy has the wrong size');
        pscp.push(p.wallS);
        ctx.log(`    first deploy steps: ${f.steps}`);
        ctx.log(`    redeploy steps: ${r.steps}`);
        ctx.log(
          `  round ${i + 1}: first deploy ${f.m.wallS.toFixed(2)} s (${f.channels} ch), ` +
            `redeploy ${r.m.wallS.toFixed(2)} s (${r.channels} ch), parallel-scp ${p.wallS.toFixed(2)} s`,
        );
      }
      const firstS = median(first.map((x) => x.m.wallS));
      const againS = median(again.map((x) => x.m.wallS));
      const mb = (size / MB).toFixed(0);
      add({
        what: `bundle build of the ${mb} MB artifact (before the deploys)`,
        unit: 's',
        ferry: b.wallS,
        peer: null,
        peerName: '',
      });
      const scpS = median(pscp);
      add({
        what: `first deploy, ${mb} MB to ${HOSTS} hosts: wall`,
        unit: 's',
        ferry: firstS,
        peer: scpS,
        peerName: 'parallel-scp',
        target: '≤ 1.1×',
        pass: firstS <= 1.1 * scpS,
      });
      add({
        what: 'unchanged redeploy: wall',
        unit: 's',
        ferry: againS,
        peer: firstS,
        peerName: 'first deploy',
        target: '≤ 0.1×',
        pass: againS <= 0.1 * firstS,
      });
      const chFirst = Math.max(...first.map((x) => x.channels));
      const chAgain = Math.max(...again.map((x) => x.channels));
      add({
        what: 'channels per host, first deploy (max)',
        unit: '',
        ferry: chFirst,
        peer: null,
        peerName: '',
        target: '≤ 6',
        pass: chFirst <= 6,
      });
      add({
        what: 'channels per host, unchanged redeploy (max)',
        unit: '',
        ferry: chAgain,
        peer: null,
        peerName: '',
        target: '≤ 3',
        pass: chAgain <= 3,
      });
      add({
        what: `first deploy ${mb} MB: client CPU (user+sys)`,
        unit: 's',
        ferry: median(first.map((x) => x.m.cpuS)),
        peer: null,
        peerName: '',
      });
      await rm(small, { recursive: true, force: true });
      await wipe(fleet, 'srv/blob');
      await wipe(fleet, 'srv/blobtest.tar.gz');

      // peak RSS pushing a big artifact: one run, bounded
      const bigProject = await makeBlobProject(inventory, await cachedRandom(big));
      projects.push(bigProject);
      const bb = await build(fleet, bigProject, 900_000);
      const bigSize = (await stat(builtArtifact(bigProject))).size;
      ctx.log(
        `bundle build (${(bigSize / MB).toFixed(0)} MB): ${bb.wallS.toFixed(1)} s, ` +
          `peak RSS ${(bb.maxRssKB / 1024).toFixed(0)} MB`,
      );
      const d = await deploy(fleet, bigProject, 900_000);
      const rss = d.m.maxRssKB / 1024;
      ctx.log(
        `deploy (${(bigSize / MB).toFixed(0)} MB to ${HOSTS} hosts): ${d.m.wallS.toFixed(1)} s, ` +
          `peak RSS ${rss.toFixed(0)} MB; steps: ${d.steps}`,
      );
      const label = `${(bigSize / MB).toFixed(0)} MB`;
      add({
        what: `peak RSS of ferry deploying ${label} to ${HOSTS} hosts`,
        unit: 'MB',
        ferry: rss,
        peer: null,
        peerName: '',
        target: '≤ 150 MB',
        pass: rss <= 150,
      });
      add({
        what: `peak RSS of ferry bundle build, ${label}`,
        unit: 'MB',
        ferry: bb.maxRssKB / 1024,
        peer: null,
        peerName: '',
      });
      add({ what: `deploy ${label} to ${HOSTS} hosts: wall`, unit: 's', ferry: d.m.wallS, peer: null, peerName: '' });
      await wipe(fleet, 'srv/blob');
    });
    return rows;
  } finally {
    await Promise.all(projects.map((p) => rm(p, { recursive: true, force: true })));
  }
}
