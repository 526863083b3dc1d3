import { writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { RunReport } from '../runner/report.js';
import { formatLive, summarize } from '../runner/report.js';
import { planSummary, renderPlan } from '../runner/plan.js';
import { exitCodeForKinds } from './exit-code.js';
import { pruneRunLogs } from '../runner/run-logs.js';
import type { GlobalOptions } from './global-options.js';

/**
 * Print the end of a run: a --dry-run's plan, the hosts that did not end ok, the release live on
 * each host (when the run has releases), the counts; write --json; remove run logs beyond
 * --keep-logs; return the exit code. With
 * `--json` to stdout, everything but the JSON goes to stderr.
 */
export async function finishRun(report: RunReport, opts: GlobalOptions, logDir: string): Promise<number> {
  const s = summarize(report);
  const out = opts.json === true ? process.stderr : process.stdout;
  const lines: string[] = report.dryRun ? renderPlan(report, Boolean(opts.verbose)) : [];
  for (const h of report.hosts) {
    if (h.status === 'ok') {
      if (opts.verbose && !report.dryRun)
        lines.push(`[${h.host}] ok in ${h.durationMs} ms, ${h.channels} channel(s), ${h.changes} change(s)`);
      continue;
    }
    if (h.status === 'untouched' || h.status === 'skipped') {
      lines.push(`[${h.host}] ${h.status} (kept its release)`);
      continue;
    }
    const exit = h.exitCode !== undefined && h.exitCode !== null ? ` (exit ${h.exitCode})` : '';
    // a FailedError's message already starts with `[host] `: the line names the host once
    const raw = h.error?.message ?? '';
    const message = raw.startsWith(`[${h.host}] `) ? raw.slice(h.host.length + 3) : raw;
    lines.push(`[${h.host}] ${h.status.toUpperCase()}${exit}: ${message}`);
  }
  if (report.dryRun) lines.push(planSummary(report));
  const live = formatLive(report);
  if (live) lines.push(live);
  const retried = report.hosts.filter((h) => h.connectRetries);
  if (retried.length)
    lines.push(
      `connect retries (refused, timed out or dropped before the banner): ` +
        retried
          .slice(0, 20)
          .map((h) => `${h.host} ×${h.connectRetries}`)
          .join(', ') +
        (retried.length > 20 ? ` and ${retried.length - 20} more host(s)` : ''),
    );
  lines.push(
    `${opts.stage ? `stage ${opts.stage}: ` : ''}${report.hosts.length} host(s): ${s.ok} ok, ${s.failed} failed, ${s.unreachable} unreachable` +
      `${s.untouched ? `, ${s.untouched} untouched` : ''}` +
      `${s.interrupted ? `, ${s.interrupted} interrupted` : ''}` +
      `${report.dryRun ? ' (dry run: nothing changed)' : ''}` +
      ` in ${(report.durationMs / 1000).toFixed(1)} s; logs in ${logDir}`,
  );
  out.write(`${lines.join('\n')}\n`);
  pruneRunLogs(dirname(logDir), opts.keepLogs);
  if (opts.json !== undefined) {
    const text = `${JSON.stringify(opts.stage ? { stage: opts.stage, ...report } : report, null, 2)}\n`;
    if (opts.json === true) process.stdout.write(text);
    else if (typeof opts.json === 'string') await writeFile(opts.json, text);
  }
  return exitCodeForKinds(
    report.hosts
      .filter((h) => h.status !== 'ok' && h.status !== 'skipped' && h.status !== 'untouched')
      .map((h) => h.error?.kind ?? 'failed'),
  );
}
