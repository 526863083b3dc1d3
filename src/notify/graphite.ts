import type { HostNote, LifecycleNote } from './types.js';

/**
 * Carbon's plaintext protocol (`<path> <value> <unix seconds>\n`) and graphite-web's events API,
 * built from a note. Paths, for dashboards (README "Deploy notifications"):
 *   <prefix>.<bundle>.<action>.started|finished|failed   1 per run (sum them over time)
 *   <prefix>.<bundle>.<action>.duration_ms               the run's wall time
 *   <prefix>.<bundle>.<action>.hosts.ok|failed|untouched hosts by outcome
 *   <prefix>.<bundle>.<action>.host.<host>.result        1 ok, 0 failed (hosts not reached send none)
 *   <prefix>.<bundle>.<action>.host.<host>.duration_ms
 */

/** One Graphite node: dots would split it, spaces end the path, `*{}[]()` are globs in queries. */
export function metricNode(s: string): string {
  const n = s.replace(/[^A-Za-z0-9_-]/g, '_');
  return n === '' ? '_' : n;
}

export interface Metric {
  readonly path: string;
  readonly value: number;
  /** unix seconds */
  readonly time: number;
}

const isFailed = (h: HostNote) => h.result === 'failed' || h.result === 'unreachable';
const isUntouched = (h: HostNote) => h.result === 'untouched' || h.result === 'skipped';

export function metrics(prefix: string, n: LifecycleNote): Metric[] {
  const base = `${prefix}.${metricNode(n.bundle)}.${metricNode(n.action)}`;
  const time = Math.floor(n.at / 1000);
  const m = (path: string, value: number): Metric => ({ path: `${base}.${path}`, value, time });
  if (n.event === 'start') return [m('started', 1)];
  const out = [
    m(n.event === 'finish' ? 'finished' : 'failed', 1),
    m('duration_ms', n.durationMs ?? 0),
    m('hosts.ok', n.hosts.filter((h) => h.result === 'ok').length),
    m('hosts.failed', n.hosts.filter(isFailed).length),
    m('hosts.untouched', n.hosts.filter(isUntouched).length),
  ];
  for (const h of n.hosts) {
    if (h.result !== 'ok' && !isFailed(h)) continue;
    const host = `host.${metricNode(h.name)}`;
    out.push(m(`${host}.result`, h.result === 'ok' ? 1 : 0));
    if (h.durationMs !== undefined) out.push(m(`${host}.duration_ms`, Math.round(h.durationMs)));
  }
  return out;
}

/** The plaintext protocol's lines, one metric each. */
export function carbonLines(ms: readonly Metric[]): string {
  return ms.map((x) => `${x.path} ${x.value} ${x.time}\n`).join('');
}

/** The word for a note in human text: started / finished / failed. */
export function verb(n: LifecycleNote): string {
  return n.event === 'start' ? 'started' : n.event === 'finish' ? 'finished' : 'failed';
}

/** `3/4 host(s) ok in 12.3 s`: an end note's outcome in words. */
export function outcome(n: LifecycleNote): string {
  const ok = n.hosts.filter((h) => h.result === 'ok').length;
  return `${ok}/${n.hosts.length} host(s) ok in ${((n.durationMs ?? 0) / 1000).toFixed(1)} s`;
}

/** graphite-web's POST /events/ body: `what`, space-free `tags`, `when` (seconds), `data`. */
export function graphiteEvent(n: LifecycleNote): { what: string; tags: string[]; when: number; data: string } {
  const tags = ['ferry', n.action, n.bundle, verb(n), ...(n.tag ? [n.tag] : []), ...(n.stage ? [n.stage] : [])];
  const counts = n.event === 'start' ? `${n.hosts.length} host(s)` : outcome(n);
  return {
    what: `ferry ${n.action} ${n.bundle}${n.tag ? ` ${n.tag}` : ''} ${verb(n)}`,
    tags: [...new Set(tags.map((t) => t.replace(/\s+/g, '_')))],
    when: Math.floor(n.at / 1000),
    data: [n.id && `id ${n.id}`, `run ${n.runId}`, n.stage && `stage ${n.stage}`, `by ${n.who}`, counts]
      .filter(Boolean)
      .join(', '),
  };
}
