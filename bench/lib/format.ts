import type { Row, SectionResult } from './report.js';

function num(x: number | null, unit = ''): string {
  if (x === null || !Number.isFinite(x)) return '—';
  if (Number.isInteger(x)) return `${x}${unit ? ` ${unit}` : ''}`;
  const digits = Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : Math.abs(x) >= 1 ? 2 : 3;
  return `${x.toFixed(digits)}${unit ? ` ${unit}` : ''}`;
}

function cells(r: Row): string[] {
  const target = r.target ? `${r.target}${r.pass === undefined ? '' : r.pass ? ' ✓' : ' ✗'}` : '';
  return [
    r.section,
    r.what,
    num(r.ferry, r.unit),
    r.peerName ? `${num(r.peer, r.unit)} (${r.peerName})` : '',
    r.ratio === null ? '' : `${r.ratio.toFixed(2)}×`,
    target,
  ];
}

const HEAD = ['section', 'what', 'ferry', 'peer', 'ferry/peer', 'target'];

/** Fixed-width text table for the terminal. */
export function textTable(results: readonly SectionResult[]): string {
  const lines = [HEAD, ...results.flatMap((s) => s.rows.map(cells))];
  const widths = HEAD.map((_, i) => Math.max(...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (l: string[]) =>
    l
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const out = [fmt(HEAD), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.slice(1).map(fmt)];
  for (const s of results) {
    if (s.status !== 'ok') out.push(`[${s.section}] ${s.status.toUpperCase()}: ${s.error ?? ''}`);
    for (const n of s.notes) out.push(`[${s.section}] ${n}`);
  }
  return out.join('\n');
}

/** Markdown table with the machine description, for the README. */
export function markdownTable(results: readonly SectionResult[], machine: Record<string, string | number>): string {
  const md = (l: string[]) => `| ${l.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  const out = [
    '# ferry bench',
    '',
    Object.entries(machine)
      .map(([k, v]) => `- **${k}**: ${v}`)
      .join('\n'),
    '',
    md(HEAD),
    md(HEAD.map(() => '---')),
    ...results.flatMap((s) => s.rows.map((r) => md(cells(r)))),
    '',
  ];
  for (const s of results) {
    if (s.taken)
      out.push(
        `- ${s.section}: taken ${s.taken.date}, ` +
          `1-min load average ${s.taken.load1} on ${machine.nproc} cores, ${s.seconds.toFixed(0)} s`,
      );
    if (s.status !== 'ok') out.push(`- **${s.section}**: ${s.status}: ${s.error ?? ''}`);
    for (const n of s.notes) out.push(`- ${s.section}: ${n}`);
  }
  return `${out.join('\n')}\n`;
}
