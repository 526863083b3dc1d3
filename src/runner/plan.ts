import type { StepOutcome } from '../task/types.js';
import type { HostReport, RunReport } from './report.js';

/**
 * A --dry-run plan people read: per phase, per host, one line per planned step. Every line is a
 * step some phase recorded through its HostSession (`plan` for a command, `planNote` for a wait,
 * a gate or a finding), so a new phase or step shows by recording its own; `-v` adds each step's
 * exact command under its line, and the probes that ran.
 */

/** `1.2 MB`, `48 KB`, `512 B`. */
export function humanBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} B`;
}

const NOTE = '# ';
/** a command's first line, shortened: how a step without its own title shows */
const SHORT = 100;

function shortCommand(command: string): string {
  const first = command.split('\n', 1)[0] ?? '';
  return first.length > SHORT || first.length < command.length ? `${first.slice(0, SHORT)} …` : first;
}

/** The line a person reads for one planned step: its title, or `$ command` for a step titled only `run`. */
export function planLine(s: StepOutcome): string {
  return s.title === 'run' || s.title === s.command ? `$ ${shortCommand(s.command)}` : s.title;
}

/**
 * Phases in run order, merged from each host's own order: a phase new to the list goes after the
 * host's previous phase and after any phase the host was not in (batch 2 after batch 1, an app
 * host's batch after the LBs' activate), but before the host's own next one.
 */
export function phaseOrder(hosts: readonly HostReport[]): (string | undefined)[] {
  const order: (string | undefined)[] = [];
  for (const h of hosts) {
    const mine = [...new Set(h.steps.map((s) => s.phase))];
    let at = -1;
    for (const phase of mine) {
      const i = order.indexOf(phase);
      if (i !== -1) {
        at = Math.max(at, i);
        continue;
      }
      let pos = at + 1;
      while (pos < order.length && !mine.includes(order[pos])) pos++;
      order.splice(pos, 0, phase);
      at = pos;
    }
  }
  return order;
}

/** The plan's lines: `== plan: <phase> ==` headings, then `[host] line` (with -v, the command below). */
export function renderPlan(report: RunReport, verbose = false): string[] {
  const lines: string[] = [];
  const known = report.phases ?? [];
  // the run's own order first; a phase it does not list (none, for a task) by the hosts' order
  const order = [...known, ...phaseOrder(report.hosts).filter((p) => p === undefined || !known.includes(p))];
  for (const phase of order) {
    const body: string[] = [];
    for (const h of report.hosts) {
      for (const s of h.steps.filter((x) => x.phase === phase)) {
        if (s.status !== 'planned') {
          // a probe ran (read-only): only -v shows it
          if (verbose) body.push(`[${h.host}] (probe) $ ${s.command}`);
          continue;
        }
        body.push(`[${h.host}] ${planLine(s)}`);
        const shown = planLine(s) === `$ ${s.command}`;
        if (verbose && !s.command.startsWith(NOTE) && !shown) body.push(`[${h.host}]     $ ${s.command}`);
      }
    }
    if (body.length === 0) continue;
    lines.push(`== plan${phase ? `: ${phase}` : ''} ==`, ...body);
  }
  for (const h of report.hosts)
    if (!h.steps.some((s) => s.status === 'planned') && h.status === 'ok') lines.push(`[${h.host}] nothing to do`);
  return lines;
}

interface Switch {
  readonly from: string | undefined;
  readonly to: string | undefined;
}

const fromTo = (h: HostReport): Switch => {
  const r = (h.result ?? {}) as { from?: unknown; to?: unknown };
  return {
    from: typeof r.from === 'string' ? r.from : undefined,
    to: typeof r.to === 'string' ? r.to : undefined,
  };
};

/** `demo-v1 → demo-v2 on 2 host(s), (none) → demo-v2 on 1`: the switches a plan makes, grouped. */
function switches(hosts: readonly HostReport[]): string | undefined {
  const groups = new Map<string, number>();
  for (const h of hosts) {
    if (!h.steps.some((s) => s.status === 'planned' && s.id === 'activate')) continue;
    const { from, to } = fromTo(h);
    const key = `${from ?? '(no release yet)'} → ${to ?? '?'}`;
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  const n = [...groups.values()].reduce((a, b) => a + b, 0);
  if (n === 0) return undefined;
  const each = [...groups].map(([k, c]) => (groups.size === 1 ? k : `${k} on ${c}`));
  return `${n} switch(es): ${each.join(', ')}`;
}

/** The plan's last line: hosts, bytes to upload, switches (when the run has them), nothing changed. */
export function planSummary(report: RunReport): string {
  const planned = report.hosts.flatMap((h) => h.steps.filter((s) => s.status === 'planned'));
  const parts = [`plan: ${report.hosts.length} host(s), ${planned.length} step(s)`];
  const uploads = report.hosts.filter((h) => h.steps.some((s) => s.status === 'planned' && s.bytes !== undefined));
  const bytes = planned.reduce((a, s) => a + (s.bytes ?? 0), 0);
  const staging = report.hosts.some((h) => h.result !== null && typeof h.result === 'object' && 'staged' in h.result);
  if (uploads.length) parts.push(`upload ${humanBytes(bytes)} to ${uploads.length} host(s)`);
  else if (staging) parts.push('nothing to upload');
  const sw = switches(report.hosts);
  if (sw) parts.push(sw);
  return parts.join('; ');
}
