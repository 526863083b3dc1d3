import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertOk, measure, type Measured } from '../lib/measure.js';
import { rowsFor, type Row } from '../lib/report.js';
import { median } from '../lib/stats.js';
import { withFleet } from '../lib/with-fleet.js';
import type { SectionContext } from './context.js';
import { fanoutTools, type FanoutTool } from './fanout-peers.js';

const HOSTS = 50;
const BIG = 200;
/** rounds of ferry and the floor at least: one ratio is inside this machine's run-to-run noise */
const MIN_PAIRS = 5;
const PAIRED = ['ferry', 'bare ssh2'];

interface Figures {
  wall: number;
  cpu: number;
  rssMB: number;
}

async function runTool(t: FanoutTool, cwd: string, hosts: number): Promise<Measured> {
  const m = assertOk(t.name, await measure(t.cmd, t.args, { cwd, env: t.env, timeoutMs: 180_000 }));
  const ok = t.okHosts(m.stdout, m.stderr);
  if (ok !== hosts)
    throw new Error(
      `${t.name}: ${ok}/${hosts} hosts answered:\n${(m.stdout + m.stderr).split('\n').slice(-10).join('\n')}`,
    );
  return m;
}

/** `ferry run -- uptime` on 50 hosts against bare ssh2, parallel-ssh, Fabric 2 and Ansible; then ferry on 200. */
export async function fanout(ctx: SectionContext): Promise<Row[]> {
  const { rows, add } = rowsFor('fanout', ctx.rows);
  const work = await mkdtemp(join(tmpdir(), 'ferry-bench-fanout-'));
  try {
    const measured = await withFleet({ hosts: HOSTS }, async (fleet) => {
      const tools = await fanoutTools(fleet, work, HOSTS);
      const ready = tools.filter((t) => {
        if (t.missing) ctx.note(`${t.name} skipped: ${t.missing}`);
        return !t.missing;
      });
      const runs = new Map<string, Measured[]>(ready.map((t) => [t.name, []]));
      // one warm-up round (page cache, python bytecode), then interleaved rounds so load noise hits every tool alike
      for (const t of ready)
        await runTool(t, work, HOSTS).catch((e: Error) => ctx.note(`warm-up ${t.name}: ${e.message.split('\n')[0]}`));
      // ferry and the floor run in every round (at least MIN_PAIRS), the other peers in the first ctx.runs
      const rounds = Math.max(ctx.runs, MIN_PAIRS);
      const pairs: Array<{ ferry: Measured; floor: Measured }> = [];
      for (let i = 0; i < rounds; i++) {
        const got = new Map<string, Measured>();
        const round = ready.filter((t) => i < ctx.runs || PAIRED.includes(t.name));
        // the pair's order alternates, so drift within a round favours neither
        if (i % 2 === 1) round.reverse();
        for (const t of round) {
          try {
            const m = await runTool(t, work, HOSTS);
            runs.get(t.name)?.push(m);
            got.set(t.name, m);
            ctx.log(
              `  round ${i + 1} ${t.name.padEnd(12)} wall ${m.wallS.toFixed(3)} s  cpu ${m.cpuS.toFixed(3)} s  ` +
                `rss ${(m.maxRssKB / 1024).toFixed(0)} MB`,
            );
          } catch (e) {
            ctx.note(`round ${i + 1} ${(e as Error).message.split('\n').slice(0, 3).join(' / ')}`);
          }
        }
        const [ferry, floor] = PAIRED.map((name) => got.get(name));
        if (ferry && floor) pairs.push({ ferry, floor });
      }
      const out = new Map<string, Figures>();
      for (const [name, ms] of runs) {
        if (ms.length === 0) continue;
        out.set(name, {
          wall: median(ms.map((m) => m.wallS)),
          cpu: median(ms.map((m) => m.cpuS)),
          rssMB: median(ms.map((m) => m.maxRssKB / 1024)),
        });
      }
      // ferry ÷ the floor, round by round (a failed run drops its round)
      const ratios = {
        wall: pairs.length ? median(pairs.map((p) => p.ferry.wallS / p.floor.wallS)) : null,
        cpu: pairs.length ? median(pairs.map((p) => p.ferry.cpuS / p.floor.cpuS)) : null,
        pairs: pairs.length,
      };
      return { out, ratios };
    });
    const { out: figures, ratios } = measured;
    const f = figures.get('ferry') ?? null;
    for (const [name, p] of figures) {
      if (name === 'ferry') continue;
      // targets: wall and client CPU ≤ 1.1× the bare ssh2 floor, as the median of the rounds' ratios
      // (#18 replaced "CPU ≤ 0.4× Fabric's", set while every remote exec paid ~85 ms of shell start-up)
      const floor = name === 'bare ssh2' && f && ratios.wall !== null && ratios.cpu !== null;
      const paired = floor ? ` (ratio: median of ${ratios.pairs} paired rounds)` : '';
      const wallTarget = floor ? { target: '≤ 1.1×', ratio: ratios.wall, pass: (ratios.wall ?? 9) <= 1.1 } : {};
      const cpuTarget = floor ? { target: '≤ 1.1×', ratio: ratios.cpu, pass: (ratios.cpu ?? 9) <= 1.1 } : {};
      add({
        what: `${HOSTS} hosts uptime: wall${paired}`,
        unit: 's',
        ferry: f?.wall ?? null,
        peer: p.wall,
        peerName: name,
        ...wallTarget,
      });
      add({
        what: `${HOSTS} hosts uptime: client CPU (user+sys)${paired}`,
        unit: 's',
        ferry: f?.cpu ?? null,
        peer: p.cpu,
        peerName: name,
        ...cpuTarget,
      });
    }
    if (f) add({ what: `${HOSTS} hosts uptime: ferry peak RSS`, unit: 'MB', ferry: f.rssMB, peer: null, peerName: '' });
    const big = await withFleet({ hosts: BIG, readyTimeoutMs: 120_000 }, async (fleet) => {
      const [ferry] = await fanoutTools(fleet, work, HOSTS);
      if (!ferry) throw new Error('no ferry tool');
      const m = await measure(ferry.cmd, ferry.args, { cwd: work, timeoutMs: 300_000 });
      const ok = ferry.okHosts(m.stdout, m.stderr);
      ctx.log(`  ${BIG} hosts: exit ${m.code}, ${ok} ok, wall ${m.wallS.toFixed(2)} s, cpu ${m.cpuS.toFixed(2)} s`);
      if (m.code !== 0)
        ctx.note(`${BIG}-host run exited ${m.code}: ${(m.stdout + m.stderr).split('\n').slice(-5).join(' / ')}`);
      return { m, ok };
    });
    add({ what: `${BIG} hosts uptime (-j ${HOSTS}): wall`, unit: 's', ferry: big.m.wallS, peer: null, peerName: '' });
    add({
      what: `${BIG} hosts uptime: ok hosts`,
      unit: '',
      ferry: big.ok,
      peer: BIG,
      peerName: 'hosts',
      target: `${BIG}/${BIG}, exit 0`,
      pass: big.ok === BIG && big.m.code === 0,
    });
    return rows;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
