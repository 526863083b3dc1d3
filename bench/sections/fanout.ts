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
    const figures = await withFleet({ hosts: HOSTS }, async (fleet) => {
      const tools = await fanoutTools(fleet, work, HOSTS);
      const ready = tools.filter((t) => {
        if (t.missing) ctx.note(`${t.name} skipped: ${t.missing}`);
        return !t.missing;
      });
      const runs = new Map<string, Measured[]>(ready.map((t) => [t.name, []]));
      // one warm-up round (page cache, python bytecode), then interleaved rounds so load noise hits every tool alike
      for (const t of ready)
        await runTool(t, work, HOSTS).catch((e: Error) => ctx.note(`warm-up ${t.name}: ${e.message.split('\n')[0]}`));
      for (let i = 0; i < ctx.runs; i++) {
        for (const t of ready) {
          try {
            const m = await runTool(t, work, HOSTS);
            runs.get(t.name)?.push(m);
            ctx.log(
              `  round ${i + 1} ${t.name.padEnd(12)} wall ${m.wallS.toFixed(2)} s  cpu ${m.cpuS.toFixed(2)} s  ` +
                `rss ${(m.maxRssKB / 1024).toFixed(0)} MB`,
            );
          } catch (e) {
            ctx.note(`round ${i + 1} ${(e as Error).message.split('\n').slice(0, 3).join(' / ')}`);
          }
        }
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
      return out;
    });
    const f = figures.get('ferry') ?? null;
    for (const [name, p] of figures) {
      if (name === 'ferry') continue;
      // targets: wall and client CPU ≤ 1.1× the bare ssh2 floor (#18 replaced "CPU ≤ 0.4× Fabric's",
      // set while every remote exec paid ~85 ms of shell start-up)
      const floor = name === 'bare ssh2' && f;
      const wallTarget = floor ? { target: '≤ 1.1×', pass: f.wall <= 1.1 * p.wall } : {};
      const cpuTarget = floor ? { target: '≤ 1.1×', pass: f.cpu <= 1.1 * p.cpu } : {};
      add({
        what: `${HOSTS} hosts uptime: wall`,
        unit: 's',
        ferry: f?.wall ?? null,
        peer: p.wall,
        peerName: name,
        ...wallTarget,
      });
      add({
        what: `${HOSTS} hosts uptime: client CPU (user+sys)`,
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
