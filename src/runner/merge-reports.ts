import type { Host } from '../inventory/types.js';
import type { HostReport } from './report.js';

/** One report per host out of several phases: steps in order, the first failure wins, results merged. */
export function mergeHostReports(hosts: readonly Host[], phases: ReadonlyArray<readonly HostReport[]>): HostReport[] {
  return hosts.map((h) => {
    const parts = phases.map((p) => p.find((r) => r.host === h.name)).filter((r): r is HostReport => r !== undefined);
    const ran = parts.filter((p) => p.status !== 'skipped');
    const bad = ran.find((p) => p.status === 'failed' || p.status === 'unreachable');
    const retries = Math.max(0, ...ran.map((p) => p.connectRetries ?? 0));
    const results = ran.map((p) => p.result).filter((r) => r !== undefined && typeof r === 'object');
    return {
      host: h.name,
      status: bad?.status ?? (ran.some((p) => p.status === 'untouched') ? 'untouched' : ran.length ? 'ok' : 'skipped'),
      durationMs: ran.reduce((a, p) => a + p.durationMs, 0),
      channels: Math.max(0, ...ran.map((p) => p.channels)),
      ...(retries ? { connectRetries: retries } : {}),
      steps: ran.flatMap((p) => p.steps),
      changes: ran.reduce((a, p) => a + p.changes, 0),
      ...(results.length ? { result: Object.assign({}, ...results) as unknown } : {}),
      ...(bad?.error ? { error: bad.error } : {}),
      ...(bad && bad.exitCode !== undefined ? { exitCode: bad.exitCode } : {}),
    };
  });
}
