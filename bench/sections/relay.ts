import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { watchWrites } from '../../test/fleet/processes.js';
import { makeMiniProject } from '../../test/helpers/mini-project.js';
import { FERRY_BIN } from '../lib/paths.js';
import { rowsFor, type Row } from '../lib/report.js';
import { withFleet } from '../lib/with-fleet.js';
import type { SectionContext } from './context.js';

/**
 * FERRY_BENCH_RELAY=hosts,MB,k (default 100,50,4: k/N = 0.04 copies; the fleet then holds
 * 4 × 100 × 50 MB — cache + release of two deploys — on its tmpfs).
 */
const [HOSTS = 100, MB = 50, K = 4] = (process.env.FERRY_BENCH_RELAY ?? '100,50,4').split(',').map(Number);

interface Deployed {
  wallS: number;
  /** what ferry counts as uploaded (sum of uploadedBytes) */
  uploaded: number;
  /** every byte the ferry process wrote (sockets, logs, report): /proc/<pid>/io wchar, last seen */
  wchar: number;
}

/** Run ferry, polling its /proc/<pid>/io until it exits. */
function deploy(args: string[], cwd: string, json: string): Promise<Deployed> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [FERRY_BIN, ...args], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CI: '1' },
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const written = watchWrites(child.pid);
    child.on('error', reject);
    child.on('close', async (code) => {
      const wchar = written();
      const wallS = (performance.now() - t0) / 1000;
      if (code !== 0) return reject(new Error(`ferry exited ${code}: ${out.split('\n').slice(-8).join(' / ')}`));
      const rep = JSON.parse(await readFile(json, 'utf8')) as { hosts: Array<{ result?: { uploadedBytes?: number } }> };
      resolve({ wallS, wchar, uploaded: rep.hosts.reduce((a, h) => a + (h.result?.uploadedBytes ?? 0), 0) });
    });
  });
}

function build(args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FERRY_BIN, ...args], { cwd, stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`bundle build exited ${code}`))));
  });
}

/** A first deploy of an incompressible MB-sized artifact to HOSTS hosts: plain push vs --relay K. */
export async function relay(ctx: SectionContext): Promise<Row[]> {
  const { rows, add } = rowsFor('relay', ctx.rows);
  await withFleet({ hosts: HOSTS, readyTimeoutMs: 60_000 + 200 * HOSTS }, async (fleet) => {
    const proj = await makeMiniProject(readFileSync(fleet.inventoryFile, 'utf8'), { padBytes: MB * 1_000_000 });
    for (const v of ['1', '2']) {
      await proj.setVersion(v);
      proj.tag(`v${v}`);
    }
    const base = [
      '--project',
      proj.dir,
      '--inventory',
      join(proj.dir, 'inventory.yaml'),
      '--known-hosts',
      fleet.knownHosts,
    ];
    const flags = [...base, '-i', fleet.clientKey];
    // build both first, in other processes: the deploys' own writes are then their uploads
    for (const tag of ['v1', 'v2']) await build([...flags, 'bundle', 'build', 'mini', '--tag', tag], proj.dir);
    // each is the first deploy of its artifact on these hosts; plain first, so the relay run cannot profit from warmer caches
    const plain = await deploy(
      [...flags, '--json', join(proj.dir, 'p.json'), 'deploy', 'mini', '--tag', 'v1'],
      proj.dir,
      join(proj.dir, 'p.json'),
    );
    ctx.log(
      `  plain: wall ${plain.wallS.toFixed(1)} s, uploaded ${(plain.uploaded / 1e6).toFixed(0)} MB, wrote ${(plain.wchar / 1e6).toFixed(0)} MB`,
    );
    const relayed = await deploy(
      [...flags, '--json', join(proj.dir, 'r.json'), 'deploy', 'mini', '--tag', 'v2', '--relay', String(K)],
      proj.dir,
      join(proj.dir, 'r.json'),
    );
    ctx.log(
      `  relay ${K}: wall ${relayed.wallS.toFixed(1)} s, uploaded ${(relayed.uploaded / 1e6).toFixed(0)} MB, wrote ${(relayed.wchar / 1e6).toFixed(0)} MB`,
    );
    const what = `first deploy ${MB} MB to ${HOSTS} hosts`;
    const peerName = 'plain push';
    add({
      what: `${what}: control bytes written (--relay ${K})`,
      unit: 'MB',
      ferry: relayed.wchar / 1e6,
      peer: plain.wchar / 1e6,
      peerName,
      target: '≤ 0.1×',
      pass: relayed.wchar <= 0.1 * plain.wchar,
    });
    add({
      what: `${what}: wall (--relay ${K})`,
      unit: 's',
      ferry: relayed.wallS,
      peer: plain.wallS,
      peerName,
      target: '≤ 1×',
      pass: relayed.wallS <= plain.wallS,
    });
  });
  return rows;
}
