import { cpus, loadavg, totalmem } from 'node:os';
import { availableParallelism } from 'node:os';

/** What the figures were taken on. */
export function machine(): Record<string, string | number> {
  const load = loadavg().map((x) => x.toFixed(2)).join(' ');
  return {
    date: new Date().toISOString(),
    nproc: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    node: process.version,
    'load average at start (1/5/15 min)': load,
  };
}
