import { UsageError } from '../../errors/usage-error.js';
import type { Host } from '../../inventory/types.js';
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

/** An unknown host named on the command line: a usage error listing the ones there are. */
export function unknownHost(name: string, hosts: readonly Host[], file: string): UsageError {
  const names = hosts.map((h) => h.name);
  const shown =
    names.length > 30 ? `${names.slice(0, 30).join(', ')}, … (${names.length - 30} more)` : names.join(', ');
  return new UsageError(`unknown host "${name}" (not in ${file}); hosts: ${shown || 'none'}`);
}

/** The inventory's `primary: true` host among `hosts`, else the first of them. */
export function primaryHost(hosts: readonly Host[]): Host | undefined {
  return hosts.find((h) => h.primary === true) ?? hosts[0];
}
