import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { rowsFor, type Row } from '../lib/report.js';
import type { SectionContext } from './context.js';

/** The shape bench/bundle.ts exports (owned by another engineer; loaded only if present). */
interface BundleBench {
  benchBundle?: (o: { runs?: number; log?: (line: string) => void }) => Promise<{
    files: number;
    bytes: number;
    ferryMs: number;
    tarMs: number;
    ratio: number;
    peakRssMB: number;
    reproducible: boolean;
  }>;
}

/** ferry's bundle packing of a ~20,000-file node_modules vs `tar czf` — delegated to bench/bundle.ts. */
export async function bundling(ctx: SectionContext): Promise<Row[]> {
  const { rows, add } = rowsFor('bundle', ctx.rows);
  const file = fileURLToPath(new URL('../bundle.js', import.meta.url));
  const mod: BundleBench = existsSync(file) ? ((await import(file)) as BundleBench) : {};
  if (typeof mod.benchBundle !== 'function') {
    ctx.note('pending: bench/bundle.ts (benchBundle) is not there yet');
    return rows;
  }
  const r = await mod.benchBundle({ runs: ctx.runs, log: ctx.log });
  const what = `pack ${r.files} files, ${(r.bytes / 1e6).toFixed(0)} MB`;
  add({
    what: `${what}: wall`,
    unit: 's',
    ferry: r.ferryMs / 1000,
    peer: r.tarMs / 1000,
    peerName: 'tar czf',
    target: '≤ 1.5×',
    pass: r.ratio <= 1.5,
  });
  add({
    what: `${what}: peak RSS`,
    unit: 'MB',
    ferry: r.peakRssMB,
    peer: null,
    peerName: '',
    target: '≤ 150 MB',
    pass: r.peakRssMB <= 150,
  });
  if (!r.reproducible) ctx.note('bundle archives differed between runs (not reproducible)');
  return rows;
}
