import { assertOk, measure } from '../lib/measure.js';
import { FERRY_BIN, REPO } from '../lib/paths.js';
import { rowsFor, type Row } from '../lib/report.js';
import { median } from '../lib/stats.js';
import type { SectionContext } from './context.js';

const RUNS = 10;
const TARGET_S = 0.4;

/** `ferry --list` in the repo root (a project with tasks/*.ts), against the floor `node -e 0`. */
export async function startup(ctx: SectionContext): Promise<Row[]> {
  const { rows, add } = rowsFor('startup', ctx.rows);
  const ferry: number[] = [];
  const cpu: number[] = [];
  const floor: number[] = [];
  // warm-up: page cache, jiti's transpile cache if any
  assertOk('ferry --list', await measure(process.execPath, [FERRY_BIN, '--list'], { cwd: REPO, timeoutMs: 30_000 }));
  for (let i = 0; i < RUNS; i++) {
    const m = assertOk(
      'ferry --list',
      await measure(process.execPath, [FERRY_BIN, '--list'], { cwd: REPO, timeoutMs: 30_000 }),
    );
    ferry.push(m.wallS);
    cpu.push(m.cpuS);
    floor.push(assertOk('node -e 0', await measure(process.execPath, ['-e', '0'], { timeoutMs: 30_000 })).wallS);
  }
  ctx.log(`ferry --list: ${ferry.map((x) => x.toFixed(3)).join(' ')} s`);
  ctx.log(`node -e 0:    ${floor.map((x) => x.toFixed(3)).join(' ')} s`);
  const f = median(ferry);
  add({
    what: `ferry --list start-up, wall (median of ${RUNS})`,
    unit: 's',
    ferry: f,
    peer: median(floor),
    peerName: 'node -e 0',
    target: `≤ ${TARGET_S} s`,
    pass: f <= TARGET_S,
  });
  add({ what: 'ferry --list start-up, CPU (user+sys)', unit: 's', ferry: median(cpu), peer: null, peerName: '' });
  // Node 20 reads NODE_EXTRA_CA_CERTS' file as it starts (Node 22 on the first TLS connection): every
  // node process here, ferry's and the floors', pays that; this says how much
  const ca = process.env.NODE_EXTRA_CA_CERTS;
  if (ca) {
    const withCa: number[] = [];
    const without: number[] = [];
    const env = { ...process.env, NODE_EXTRA_CA_CERTS: undefined };
    for (let i = 0; i < RUNS; i++) {
      withCa.push(assertOk('node -e 0', await measure(process.execPath, ['-e', '0'], { timeoutMs: 30_000 })).wallS);
      without.push(
        assertOk('node -e 0', await measure(process.execPath, ['-e', '0'], { env, timeoutMs: 30_000 })).wallS,
      );
    }
    add({
      what: `node -e 0 with NODE_EXTRA_CA_CERTS=${ca} (set on this machine), wall (median of ${RUNS})`,
      unit: 's',
      ferry: median(withCa),
      peer: median(without),
      peerName: 'the variable unset',
    });
  }
  return rows;
}
