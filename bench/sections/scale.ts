import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertOk, measure } from '../lib/measure.js';
import { BARE_SSH2_BIN, FERRY_BIN } from '../lib/paths.js';
import { rowsFor, type Row } from '../lib/report.js';
import { median } from '../lib/stats.js';
import { withFleet } from '../lib/with-fleet.js';
import { writeHashedKnownHosts } from '../../test/fleet/known-hosts.js';
import { fanoutTools } from './fanout-peers.js';
import type { SectionContext } from './context.js';

/** Fleet sizes of the curve; FERRY_BENCH_SIZES=50,200 for a smaller machine. */
const SIZES = (process.env.FERRY_BENCH_SIZES ?? '50,200,500,1000').split(',').map(Number);
/** the same concurrency cap for both: the uncapped ssh2 floor times out at 1,000 hosts */
const CAP = 100;

const okLines = (out: string) => (out.match(/^\[[^\]]+\] (?!FAILED)/gm) ?? []).length;

/** a peer slower than this at a size is reported as not finishing (ferry takes ~15 s for 1,000) */
const PEER_TIMEOUT_MS = 240_000;
/** paired rounds per size (at least): one ratio is inside this machine's ±10% run-to-run noise */
const MIN_PAIRS = 5;

/**
 * `true` on N hosts at -j 100, ferry against the bare-ssh2 floor capped at 100 connections, in
 * paired rounds after one warm-up run each (the order alternating, so load drift hits both alike): wall, client CPU (target
 * ≤ 1.1× the floor at every size; the ratio is the pairs' median) and ferry's peak RSS per host
 * (target ≤ 1 MB). RSS per host is counted above a bare `node -e 0` measured in the same run:
 * Node's own ~40 MB is no host's, and the floor itself is over 1 MB per host at 50 hosts. Then
 * parallel-ssh and Fabric once each, where they finish.
 */
export async function scale(ctx: SectionContext): Promise<Row[]> {
  const { rows, add } = rowsFor('scale', ctx.rows);
  const work = await mkdtemp(join(tmpdir(), 'ferry-bench-scale-'));
  try {
    const nodeRss = median(
      await Promise.all(
        [0, 1, 2].map(async () => (await measure(process.execPath, ['-e', '0'], { cwd: work })).maxRssKB / 1024),
      ),
    );
    ctx.log(`  node -e 0: peak RSS ${nodeRss.toFixed(1)} MB`);
    const pairsPerSize = Math.max(ctx.runs, MIN_PAIRS);
    for (const n of SIZES) {
      await withFleet({ hosts: n, readyTimeoutMs: 60_000 + 200 * n }, async (fleet) => {
        const hostsJson = join(work, `hosts-${n}.json`);
        await writeFile(
          hostsJson,
          JSON.stringify(fleet.hosts.map((h) => ({ name: h.name, address: h.address, port: h.port }))),
        );
        const ferryWith = (knownHosts: string) => [
          ...[FERRY_BIN, '--inventory', fleet.inventoryFile, '--known-hosts', knownHosts],
          ...['-i', fleet.clientKey, '-j', String(CAP), 'run', '--roles', 'app', '--', 'true'],
        ];
        // OpenSSH's HashKnownHosts (Debian's default) and ferry's --accept-new-host-keys write hashed
        // names: each host's is found by an HMAC per hashed line, so N hosts cost N × N HMACs
        const hashedFile = writeHashedKnownHosts(fleet.knownHosts, join(work, `known_hosts-${n}.hashed`));
        const tools = {
          ferry: ferryWith(fleet.knownHosts),
          floor: [BARE_SSH2_BIN, hostsJson, fleet.clientKey, 'true', String(CAP)],
          hashed: ferryWith(hashedFile),
        };
        const once = async (name: keyof typeof tools) => {
          const m = assertOk(
            `${name} ${n}`,
            await measure(process.execPath, tools[name], { cwd: work, timeoutMs: 600_000 }),
          );
          const ok = name !== 'floor' ? Number(/host\(s\): (\d+) ok/.exec(m.stdout)?.[1] ?? 0) : okLines(m.stdout);
          if (ok !== n) throw new Error(`${name} ${n} hosts: ${ok} ok`);
          ctx.log(
            `  ${n} hosts ${name.padEnd(5)} wall ${m.wallS.toFixed(2)} s cpu ${m.cpuS.toFixed(2)} s rss ${(m.maxRssKB / 1024).toFixed(0)} MB`,
          );
          return { wall: m.wallS, cpu: m.cpuS, rss: m.maxRssKB / 1024 };
        };
        // one discarded run each first: the fleet's inventory is new, and ferry's first run parses
        // and caches it (an operator's inventory is parsed once per change, not once per command)
        await once('ferry');
        await once('floor');
        type Run = { wall: number; cpu: number; rss: number };
        const pairs: Array<Record<'ferry' | 'floor', Run>> = [];
        for (let i = 0; i < pairsPerSize; i++) {
          if (i % 2 === 0) {
            const floor = await once('floor');
            pairs.push({ floor, ferry: await once('ferry') });
          } else {
            const ferryRun = await once('ferry');
            pairs.push({ ferry: ferryRun, floor: await once('floor') });
          }
        }
        const f = (k: 'wall' | 'cpu' | 'rss') => median(pairs.map((p) => p.ferry[k]));
        const b = (k: 'wall' | 'cpu' | 'rss') => median(pairs.map((p) => p.floor[k]));
        const r = (k: 'wall' | 'cpu') => median(pairs.map((p) => p.ferry[k] / p.floor[k]));
        const peerName = `bare ssh2 (cap ${CAP})`;
        const paired = `median of ${pairsPerSize} paired runs`;
        add({
          what: `${n} hosts true (-j ${CAP}): wall`,
          unit: 's',
          ferry: f('wall'),
          peer: b('wall'),
          peerName,
          ratio: r('wall'),
        });
        add({
          what: `${n} hosts true (-j ${CAP}): client CPU (ratio: ${paired})`,
          unit: 's',
          ferry: f('cpu'),
          peer: b('cpu'),
          peerName,
          ratio: r('cpu'),
          target: '≤ 1.1×',
          pass: r('cpu') <= 1.1,
        });
        add({
          what: `${n} hosts true: client CPU above the floor, per host (${paired})`,
          unit: 'ms',
          ferry: median(pairs.map((p) => (1000 * (p.ferry.cpu - p.floor.cpu)) / n)),
          peer: null,
          peerName: '',
          ratio: null,
        });
        const perHost = (f('rss') - nodeRss) / n;
        add({
          what: `${n} hosts true: ferry peak RSS per host, above node -e 0 (${nodeRss.toFixed(0)} MB); total ${f('rss').toFixed(0)} MB`,
          unit: 'MB',
          ferry: perHost,
          peer: (b('rss') - nodeRss) / n,
          peerName: 'bare ssh2',
          target: '≤ 1 MB/host',
          pass: perHost <= 1,
        });
        // the hashed known_hosts: its first run tests every host against every name; later runs
        // check what it remembered (ssh/hashed-names.ts)
        const cold = await once('hashed');
        const later: number[] = [];
        for (let i = 0; i < 3; i++) later.push((await once('hashed')).cpu);
        const warm = median(later);
        for (const [label, cpu] of [
          ['first run (each host tested against every hashed name)', cold.cpu],
          ['later runs (remembered matches; median of 3)', warm],
        ] as const) {
          add({
            what: `${n} hosts true, hashed known_hosts: client CPU, ${label}`,
            unit: 's',
            ferry: cpu,
            peer: b('cpu'),
            peerName,
            ratio: cpu / b('cpu'),
          });
        }
        // the curve's other peers, once per size, where they finish: parallel-ssh at the same cap,
        // Fabric's ThreadingGroup (no cap: every host at once); both run `uptime`, counted by its lines
        const peers = (await fanoutTools(fleet, work, CAP)).filter(
          (t) => t.name === 'parallel-ssh' || t.name === 'Fabric 2',
        );
        for (const t of peers) {
          if (t.missing) {
            ctx.note(`${t.name} skipped: ${t.missing}`);
            continue;
          }
          const m = await measure(t.cmd, t.args, { cwd: work, env: t.env, timeoutMs: PEER_TIMEOUT_MS });
          const ok = t.okHosts(m.stdout, m.stderr);
          const label = t.name === 'parallel-ssh' ? `parallel-ssh -p ${CAP}` : `${t.name}, uncapped`;
          ctx.log(`  ${n} hosts ${t.name}: ${ok}/${n} ok, wall ${m.wallS.toFixed(2)} s cpu ${m.cpuS.toFixed(2)} s`);
          if (ok !== n) {
            add({
              what: `${n} hosts: ${label} did not finish`,
              unit: 'hosts ok',
              ferry: n,
              peer: ok,
              peerName: m.timedOut ? `${label}, stopped after ${PEER_TIMEOUT_MS / 1000} s` : label,
            });
            continue;
          }
          add({ what: `${n} hosts: wall`, unit: 's', ferry: f('wall'), peer: m.wallS, peerName: label });
          add({ what: `${n} hosts: client CPU`, unit: 's', ferry: f('cpu'), peer: m.cpuS, peerName: label });
        }
      });
    }
    return rows;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
