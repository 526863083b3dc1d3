import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quote } from '../../src/shell/quote.js';
import { assertOk, measure, type Measured } from '../lib/measure.js';
import { FERRY_BIN } from '../lib/paths.js';
import { rowsFor, type Row } from '../lib/report.js';
import { median } from '../lib/stats.js';
import { withFleet } from '../lib/with-fleet.js';
import type { SectionContext } from './context.js';
import { sshOptions } from './fanout-peers.js';

const MB = 1024 * 1024;
const SIZE = 50 * MB;
/** 50 MB of 100-byte lines, made on the host */
const PRINT = `head -c ${SIZE} /dev/zero | tr '\\0' x | fold -w 99`;
const RSS_TARGET_MB = 150;

/**
 * One host prints 50 MB through `ferry run` (streamed line by line to a pipe, the tail of it kept
 * for the report, all of it in the host log): ferry's peak RSS stays bounded. The floor: the
 * system ssh client printing the same to the same pipe.
 */
export async function stream(ctx: SectionContext): Promise<Row[]> {
  const { rows, add } = rowsFor('stream', ctx.rows);
  const work = await mkdtemp(join(tmpdir(), 'ferry-bench-stream-'));
  try {
    await withFleet({ hosts: 1 }, async (fleet) => {
      const h = fleet.hosts[0];
      if (!h) throw new Error('no host');
      const ferryArgv = [
        process.execPath,
        FERRY_BIN,
        '--inventory',
        fleet.inventoryFile,
        '--known-hosts',
        fleet.knownHosts,
        '-i',
        fleet.clientKey,
        'run',
        '--hosts',
        h.name,
        '--',
        PRINT,
      ];
      const sshArgv = ['ssh', ...sshOptions(fleet), '-p', String(h.port), `root@${h.address}`, PRINT];
      // the output goes through a pipe to a reader that keeps only its end, as `| tail` would
      const piped = (argv: readonly string[]) => `${argv.map(quote).join(' ')} | tail -n 6`;
      const tools: [string, string][] = [
        ['ferry', piped(ferryArgv)],
        ['ssh', piped(sshArgv)],
      ];
      const runs = new Map<string, Measured[]>(tools.map(([n]) => [n, []]));
      for (let i = 0; i < ctx.runs; i++) {
        for (const [name, script] of tools) {
          const m = assertOk(name, await measure('/bin/sh', ['-c', script], { cwd: work, timeoutMs: 180_000 }));
          if (name === 'ferry' && !/1 ok/.test(m.stdout)) throw new Error(`ferry run: ${m.stdout.slice(-300)}`);
          if (!/x{99}/.test(m.stdout)) throw new Error(`${name}: the output did not arrive: ${m.stdout.slice(-300)}`);
          runs.get(name)?.push(m);
          ctx.log(
            `  round ${i + 1} ${name.padEnd(5)} wall ${m.wallS.toFixed(2)} s  cpu ${m.cpuS.toFixed(2)} s  ` +
              `rss ${(m.maxRssKB / 1024).toFixed(0)} MB`,
          );
        }
      }
      const f = runs.get('ferry') ?? [];
      const s = runs.get('ssh') ?? [];
      const rss = Math.max(...f.map((m) => m.maxRssKB / 1024));
      add({
        what: '50 MB of output through ferry run, streamed: peak RSS (max of runs)',
        unit: 'MB',
        ferry: rss,
        peer: null,
        peerName: '',
        target: `≤ ${RSS_TARGET_MB} MB`,
        pass: rss <= RSS_TARGET_MB,
      });
      add({
        what: '50 MB of output through ferry run, streamed: wall',
        unit: 's',
        ferry: median(f.map((m) => m.wallS)),
        peer: median(s.map((m) => m.wallS)),
        peerName: 'ssh',
      });
      add({
        what: '50 MB of output through ferry run, streamed: client CPU (user+sys)',
        unit: 's',
        ferry: median(f.map((m) => m.cpuS)),
        peer: median(s.map((m) => m.cpuS)),
        peerName: 'ssh',
      });
    });
    return rows;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
