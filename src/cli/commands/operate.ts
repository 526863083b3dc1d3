import type { HostReport } from '../../runner/report.js';
import { exitCodeForKinds } from '../exit-code.js';

/**
 * For commands whose output is the hosts' own (logs, exec -i): no summary, only what went wrong,
 * on stderr, one line per host; returns the exit code (130 when Ctrl-C ended it).
 */
export function reportFailures(reports: readonly HostReport[]): number {
  const bad = reports.filter((h) => h.status !== 'ok' && h.status !== 'skipped');
  for (const h of bad) {
    if (h.status === 'interrupted') continue;
    const exit = h.exitCode !== undefined && h.exitCode !== null ? ` (exit ${h.exitCode})` : '';
    process.stderr.write(`[${h.host}] ${h.status.toUpperCase()}${exit}: ${h.error?.message ?? ''}\n`);
  }
  return exitCodeForKinds(bad.map((h) => h.error?.kind ?? 'failed'));
}
