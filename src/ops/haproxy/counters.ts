/**
 * The counters of one `show stat` row that the error-rate gate and `ferry lb status` read: HTTP
 * responses by class (hrsp_*), HTTP requests (req_tot), response errors (eresp: the server's
 * answer broke and HAProxy answered 502 itself), connection errors (econ), retries and
 * redispatches, aborts. A missing or empty column reads 0 (a TCP proxy has no hrsp_*).
 */
export interface StatCounters {
  readonly hrsp1xx: number;
  readonly hrsp2xx: number;
  readonly hrsp3xx: number;
  readonly hrsp4xx: number;
  readonly hrsp5xx: number;
  readonly hrspOther: number;
  readonly reqTot: number;
  readonly eresp: number;
  readonly econ: number;
  readonly wretr: number;
  readonly wredis: number;
  readonly cliAbrt: number;
  readonly srvAbrt: number;
}

/** StatCounters key → `show stat` column. */
export const COUNTER_COLUMNS: Readonly<Record<keyof StatCounters, string>> = {
  hrsp1xx: 'hrsp_1xx',
  hrsp2xx: 'hrsp_2xx',
  hrsp3xx: 'hrsp_3xx',
  hrsp4xx: 'hrsp_4xx',
  hrsp5xx: 'hrsp_5xx',
  hrspOther: 'hrsp_other',
  reqTot: 'req_tot',
  eresp: 'eresp',
  econ: 'econ',
  wretr: 'wretr',
  wredis: 'wredis',
  cliAbrt: 'cli_abrt',
  srvAbrt: 'srv_abrt',
};

const KEYS = Object.keys(COUNTER_COLUMNS) as Array<keyof StatCounters>;

const build = (f: (k: keyof StatCounters) => number): StatCounters =>
  Object.fromEntries(KEYS.map((k) => [k, f(k)])) as unknown as StatCounters;

export const NO_COUNTS: StatCounters = build(() => 0);

export function countersOf(fields: Readonly<Record<string, string>>): StatCounters {
  return build((k) => {
    const n = Number(fields[COUNTER_COLUMNS[k]] || 0);
    return Number.isSafeInteger(n) && n >= 0 ? n : 0;
  });
}

export function addCounters(a: StatCounters, b: StatCounters): StatCounters {
  return build((k) => a[k] + b[k]);
}

/**
 * What happened between two looks at one server on one LB. A counter below its start value
 * means another HAProxy process answered the second look (a reload in the window starts its
 * counters at 0): then only the end values are known to belong to the window — a lower bound.
 */
export function counterDelta(start: StatCounters, end: StatCounters): { delta: StatCounters; reset: boolean } {
  const reset = KEYS.some((k) => end[k] < start[k]);
  return { delta: reset ? end : build((k) => end[k] - start[k]), reset };
}

/** Answers the clients got for requests sent to the server: every response class, plus eresp (a 502 by HAProxy). */
export function responsesOf(c: StatCounters): number {
  return c.hrsp1xx + c.hrsp2xx + c.hrsp3xx + c.hrsp4xx + c.hrsp5xx + c.hrspOther + c.eresp;
}

/** Server-side errors among them: 5xx answers and broken responses. */
export function errorsOf(c: StatCounters): number {
  return c.hrsp5xx + c.eresp;
}

/** The 5xx share (0..1), or undefined with no response at all. */
export function errorShare(c: StatCounters): number | undefined {
  const n = responsesOf(c);
  return n === 0 ? undefined : errorsOf(c) / n;
}

/** `1.25%` (or `-` for no responses). */
export function formatShare(share: number | undefined): string {
  if (share === undefined) return '-';
  const pct = share * 100;
  return `${pct >= 10 || pct === 0 ? pct.toFixed(1) : pct.toFixed(2)}%`;
}
