import type { HistoryEntry } from './history.js';

/** One host's history as `ferry history` read it, or why it could not. */
export interface HistoryRow {
  readonly host: string;
  readonly entries?: readonly HistoryEntry[] | undefined;
  readonly error?: string | undefined;
}

/** One entry with its host: what `ferry history` lists. */
export interface HostHistoryEntry extends HistoryEntry {
  readonly host: string;
}

/** Every host's entries in one list, oldest first; `last`: only the newest that many. */
export function mergeHistory(rows: readonly HistoryRow[], last?: number): HostHistoryEntry[] {
  const all = rows.flatMap((r) => (r.entries ?? []).map((e) => ({ host: r.host, ...e })));
  // stable: a run's hosts stay in selection order within the same instant
  all.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return last === undefined ? all : all.slice(Math.max(0, all.length - last));
}

const seconds = (ms: number | undefined) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)}s`);
const when = (at: string) => at.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
const firstLine = (s: string) => {
  const line = s.split('\n')[0] ?? '';
  return line.length > 100 ? `${line.slice(0, 99)}…` : line;
};

/**
 * The `ferry history` table: when, host, action, result, from → to, tag, who@where, duration and,
 * for a failure, the failed step and the first line of the error. Hosts that could not be read last.
 */
export function formatHistory(entries: readonly HostHistoryEntry[], rows: readonly HistoryRow[]): string {
  const head = ['WHEN', 'HOST', 'ACTION', 'RESULT', 'FROM → TO', 'TAG', 'BY', 'TOOK', 'FAILED'];
  const body = entries.map((e) => [
    when(e.at),
    e.host,
    e.change ? `${e.action} ${e.change}` : e.action,
    e.result,
    `${e.from ?? '-'} → ${e.to ?? '-'}`,
    e.tag ?? '-',
    `${e.user}@${e.controlHost}`,
    seconds(e.durationMs),
    e.result === 'ok' || e.result === 'unchanged'
      ? ''
      : [e.failedStep, e.error ? firstLine(e.error) : undefined].filter(Boolean).join(': '),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const lines = entries.length ? [line(head), ...body.map(line)] : ['no history recorded'];
  for (const r of rows) if (r.error !== undefined) lines.push(`${r.host}: ERROR ${r.error}`);
  return `${lines.join('\n')}\n`;
}
