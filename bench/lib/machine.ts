import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';

/** What the figures were taken on. */
export function machine(): Record<string, string | number> {
  const load = loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
  const busy = (loadavg()[0] ?? 0) > availableParallelism();
  return {
    ...(busy
      ? {
          note:
            'the 1-min load average was above the core count when the run started (earlier sections, other jobs): ' +
            'wall times are noisier, CPU figures less so',
        }
      : {}),
    date: new Date().toISOString(),
    nproc: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    node: process.version,
    'load average when the run started (1/5/15 min)': load,
  };
}
