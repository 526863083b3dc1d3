import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertOk, measure } from '../lib/measure.js';
import { BARE_SSH2_BIN, FERRY_BIN } from '../lib/paths.js';
import { rowsFor, type Row } from '../lib/report.js';
import { median } from '../lib/stats.js';
import { withFleet } from '../lib/with-fleet.js';
import type { SectionContext } from './context.js';

/** Fleet sizes of the curve; FERRY_BENCH_SIZES=50,200 for a smaller machine. */
const SIZES = (process.env.FERRY_BENCH_SIZES ?? '50,200,500,1000').split(',').map(Number);
/** the same concurrency cap for both: the uncapped ssh2 floor times out at 1,000 hosts */
const CAP = 100;

const okLines = (out: string) => (out.match(/^\[[^\]]+\] (?!FAILED)/gm) ?? []).length;

/**
 * `true` on N hosts at -j 100, ferry against the bare-ssh2 floor capped at 100 connections: wall,
 * client CPU (target ≤ 1.1× the floor at every size) and ferry's peak RSS (target ≤ 1 MB per host).
 */
export async function scale(ctx: SectionContext): Promise<Row[]> {
  const { rows, add } = rowsFor('scale', ctx.rows);
  const work = await mkdtemp(join(tmpdir(), 'ferry-bench-scale-'));
  try {
    for (const n of SIZES) {
      await withFleet({ hosts: n, readyTimeoutMs: 60_000 + 200 * n }, async (fleet) => {
        const hostsJson = join(work, `hosts-${n}.json`);
        await writeFile(
          hostsJson,
          JSON.stringify(fleet.hosts.map((h) => ({ name: h.name, address: h.address, port: h.port }))),
        );
        const ferry = [FERRY_BIN, '--inventory', fleet.inventoryFile, '--known-hosts', fleet.knownHosts];
        const tools = {
          ferry: [...ferry, '-i', fleet.clientKey, '-j', String(CAP), 'run', '--roles', 'app', '--', 'true'],
          floor: [BARE_SSH2_BIN, hostsJson, fleet.clientKey, 'true', String(CAP)],
        };
        const runs: Record<keyof typeof tools, Array<{ wall: number; cpu: number; rss: number }>> = {
          ferry: [],
          floor: [],
        };
        for (let i = 0; i < ctx.runs; i++) {
          for (const name of ['ferry', 'floor'] as const) {
            const m = assertOk(
              `${name} ${n}`,
              await measure(process.execPath, tools[name], { cwd: work, timeoutMs: 600_000 }),
            );
            const ok = name === 'ferry' ? Number(/host\(s\): (\d+) ok/.exec(m.stdout)?.[1] ?? 0) : okLines(m.stdout);
            if (ok !== n) throw new Error(`${name} ${n} hosts: ${ok} ok`);
            runs[name].push({ wall: m.wallS, cpu: m.cpuS, rss: m.maxRssKB / 1024 });
            ctx.log(
              `  ${n} hosts ${name.padEnd(5)} wall ${m.wallS.toFixed(2)} s cpu ${m.cpuS.toFixed(2)} s rss ${(m.maxRssKB / 1024).toFixed(0)} MB`,
            );
          }
        }
        const f = (k: 'wall' | 'cpu' | 'rss') => median(runs.ferry.map((r) => r[k]));
        const b = (k: 'wall' | 'cpu' | 'rss') => median(runs.floor.map((r) => r[k]));
        const peerName = `bare ssh2 (cap ${CAP})`;
        add({ what: `${n} hosts true (-j ${CAP}): wall`, unit: 's', ferry: f('wall'), peer: b('wall'), peerName });
        add({
          what: `${n} hosts true (-j ${CAP}): client CPU`,
          unit: 's',
          ferry: f('cpu'),
          peer: b('cpu'),
          peerName,
          target: '≤ 1.1×',
          pass: f('cpu') <= 1.1 * b('cpu'),
        });
        add({
          what: `${n} hosts true: ferry peak RSS`,
          unit: 'MB',
          ferry: f('rss'),
          peer: n,
          peerName: '1 MB × hosts',
          target: '≤ 1 MB/host',
          pass: f('rss') <= n,
        });
      });
    }
    return rows;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
