import { FailedError } from '../../errors/failed-error.js';
import {
  addCounters,
  counterDelta,
  errorShare,
  errorsOf,
  formatShare,
  NO_COUNTS,
  responsesOf,
  type StatCounters,
} from './counters.js';
import type { StatRow } from './runtime.js';

/** One look at the backend (`show stat <backend> 4 -1`) on one LB. */
export interface StatSample {
  readonly lb: string;
  readonly rows: readonly StatRow[];
}

/** The window's traffic of one server (or of a group), summed over every LB. */
export interface WindowRate {
  readonly responses: number;
  readonly errors: number;
  /** errors / responses, 0..1; undefined without responses */
  readonly share: number | undefined;
  readonly counters: StatCounters;
  /** some LB restarted its counters in the window (a reload): the counts are a lower bound */
  readonly reset: boolean;
}

export interface ServerRate extends WindowRate {
  readonly server: string;
}

export interface WindowRates {
  readonly servers: readonly ServerRate[];
  /** the watched servers together */
  readonly total: WindowRate;
  /** the backend's other servers over the same window: context for the report, not a criterion */
  readonly rest: WindowRate;
}

const rate = (counters: StatCounters, reset: boolean): WindowRate => ({
  responses: responsesOf(counters),
  errors: errorsOf(counters),
  share: errorShare(counters),
  counters,
  reset,
});

function sum(rates: readonly WindowRate[]): WindowRate {
  const counters = rates.reduce((a, r) => addCounters(a, r.counters), NO_COUNTS);
  return rate(
    counters,
    rates.some((r) => r.reset),
  );
}

/**
 * Per-server deltas between two samples of every LB, summed over the LBs. A watched server
 * missing from a sample is a failure naming the LB (it is not in that HAProxy's backend).
 */
export function windowRates(
  backend: string,
  watched: readonly string[],
  start: readonly StatSample[],
  end: readonly StatSample[],
): WindowRates {
  const servers = new Set<string>();
  for (const s of [...start, ...end])
    for (const r of s.rows) if (r.type === 'server' && r.pxname === backend) servers.add(r.svname);
  const per = new Map<string, WindowRate>();
  for (const server of servers) {
    const parts: WindowRate[] = [];
    for (const e of end) {
      const find = (s: StatSample | undefined) =>
        s?.rows.find((r) => r.type === 'server' && r.pxname === backend && r.svname === server);
      const b = find(start.find((s) => s.lb === e.lb));
      const a = find(e);
      if (!a || !b) {
        if (watched.includes(server))
          throw new FailedError(`error-rate gate: server ${backend}/${server} is not in haproxy on ${e.lb}`);
        continue;
      }
      const d = counterDelta(b.counters, a.counters);
      parts.push(rate(d.delta, d.reset));
    }
    per.set(server, sum(parts));
  }
  for (const w of watched)
    if (!per.has(w)) throw new FailedError(`error-rate gate: server ${backend}/${w} is in no LB's 'show stat'`);
  const watchedRates = watched.map((server) => ({ server, ...(per.get(server) as WindowRate) }));
  const rest = [...per].filter(([name]) => !watched.includes(name)).map(([, r]) => r);
  return { servers: watchedRates, total: sum(watchedRates), rest: sum(rest) };
}

export interface GateLimits {
  /** the largest 5xx share allowed, 0..1 (`--max-error-rate 1%` → 0.01) */
  readonly maxRate: number;
  /** below this many responses the share says little (see README "Error-rate gate") */
  readonly minRequests: number;
}

/**
 * The default --min-requests: the count at which one error alone is exactly the limit (1/rate),
 * so a single stray 5xx in a quiet window cannot fail the gate; kept within 20..1000.
 */
export function defaultMinRequests(maxRate: number): number {
  return maxRate <= 0 ? 1000 : Math.min(1000, Math.max(20, Math.ceil(1 / maxRate)));
}

/**
 * Too many errors: errors / max(responses, minRequests) > maxRate. With enough traffic that is
 * the 5xx share; in a quiet window it counts the errors as if the missing requests had all
 * succeeded, so it fails only when the window is already certain to exceed the limit.
 */
export function tooManyErrors(r: WindowRate, l: GateLimits): boolean {
  return r.errors > l.maxRate * Math.max(r.responses, l.minRequests) + 1e-9;
}

export interface GateVerdict {
  readonly ok: boolean;
  /** fewer responses than minRequests for the watched servers together: passed on little evidence */
  readonly inconclusive: boolean;
  /** the servers that are over the limit on their own */
  readonly over: readonly string[];
  readonly rates: WindowRates;
  /** one line: the measured rates, per server and in total, with the requests counted */
  readonly summary: string;
}

const describe = (r: WindowRate) =>
  `${formatShare(r.share)} 5xx (${r.errors} of ${r.responses} responses${r.reset ? ', counters reset by a reload' : ''})`;

/** Judge the window: over the limit in total, or on any one server (a host-specific breakage is not diluted). */
export function judgeWindow(rates: WindowRates, l: GateLimits, windowMs: number): GateVerdict {
  const over = rates.servers.filter((s) => tooManyErrors(s, l)).map((s) => s.server);
  const ok = over.length === 0 && !tooManyErrors(rates.total, l);
  const inconclusive = rates.total.responses < l.minRequests;
  const each = rates.servers.length > 1 ? `: ${rates.servers.map((s) => `${s.server} ${describe(s)}`).join(', ')}` : '';
  const names = rates.servers.map((s) => s.server).join(', ');
  const summary =
    `${names} ${describe(rates.total)} in ${(windowMs / 1000).toFixed(1)} s${each}` +
    ` (limit ${formatShare(l.maxRate)}; rest of the backend ${describe(rates.rest)})` +
    (inconclusive ? ` — fewer than ${l.minRequests} responses: too few to judge the share` : '');
  return { ok, inconclusive, over, rates, summary };
}
