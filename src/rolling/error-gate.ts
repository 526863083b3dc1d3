import type { HostReport } from '../runner/report.js';
import type { HostSession } from '../runner/host-session.js';
import { formatShare } from '../ops/haproxy/counters.js';
import {
  judgeWindow,
  windowRates,
  type GateLimits,
  type GateVerdict,
  type WindowRate,
} from '../ops/haproxy/error-rate.js';
import type { LoadBalancers } from './load-balancers.js';
import type { AfterBatch } from './rollout.js';

/** `--max-error-rate P% --watch D [--min-requests N]`. */
export interface ErrorGateOptions extends GateLimits {
  readonly watchMs: number;
  /** one line per judged batch (the CLI prints it on stderr) */
  readonly notice?: ((line: string) => void) | undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms: number) => `${(ms / 1000).toFixed(ms % 1000 ? 1 : 0)} s`;

const rateJson = (r: WindowRate) => ({
  responses: r.responses,
  errors: r.errors,
  share: r.share ?? null,
  ...(r.reset ? { reset: true } : {}),
  counters: r.counters,
});

/** What --json carries per watched host (`result.errorGate`). */
function resultOf(v: GateVerdict, l: ErrorGateOptions, windowMs: number) {
  return {
    ok: v.ok,
    inconclusive: v.inconclusive,
    windowMs,
    maxRate: l.maxRate,
    minRequests: l.minRequests,
    over: v.over,
    summary: v.summary,
    servers: Object.fromEntries(v.rates.servers.map((s) => [s.server, rateJson(s)])),
    total: rateJson(v.rates.total),
    rest: rateJson(v.rates.rest),
  };
}

/**
 * The error-rate gate of a rolling deploy or restart: once a batch is back in rotation, two
 * looks at `show stat` on every LB, `watchMs` apart; the batch's servers' 5xx share over that
 * window (deltas per server, summed over the LBs) must not exceed `maxRate`. With `--watch 0`
 * or no LB it does nothing at all (no round trip).
 */
export class ErrorGate {
  /** why the rollout stopped, once a window was over the limit (or could not be read) */
  stoppedBy: string | undefined;

  constructor(
    private readonly o: ErrorGateOptions,
    private readonly lbs: LoadBalancers,
    private readonly dryRun: boolean,
  ) {}

  private get active(): boolean {
    return this.o.watchMs > 0 && !this.lbs.empty;
  }

  /** The rollout's hook; `watched(report)`: was this host of the batch switched (or restarted)? */
  afterBatch(sessions: ReadonlyMap<string, HostSession>, watched: (r: HostReport) => boolean): AfterBatch {
    return async (_batch, reports, index) => {
      if (!this.active) return { reports, stop: false };
      const hosts = reports.filter(watched).map((r) => r.host);
      const ss = hosts.map((h) => sessions.get(h)).filter((s): s is HostSession => s !== undefined);
      const first = ss[0];
      if (!first) return { reports, stop: false };
      const marks = new Map(ss.map((s) => [s.host.name, s.steps.length]));
      const lbs = this.lbs.about(first);
      const names = hosts.join(', ');
      const limit = formatShare(this.o.maxRate);
      if (this.dryRun) {
        lbs.planSample('error-gate-start');
        for (const s of ss)
          s.planNote(
            'error-gate',
            `error-rate gate: ${seconds(this.o.watchMs)} window, 5xx share of ${names} ≤ ${limit} (show stat at both ends)`,
          );
        lbs.planSample('error-gate-end');
        return { reports: this.amend(reports, ss, marks), stop: false };
      }
      const title = `error-rate gate: ${seconds(this.o.watchMs)} window, 5xx ≤ ${limit}`;
      let verdict: GateVerdict | undefined;
      let windowMs = 0;
      let why: string | undefined;
      try {
        const start = await lbs.sample('error-gate-start');
        const t0 = Date.now();
        await sleep(this.o.watchMs);
        const end = await lbs.sample('error-gate-end');
        windowMs = Date.now() - t0;
        verdict = judgeWindow(windowRates(lbs.backend, hosts, start, end), this.o, windowMs);
        if (!verdict.ok) why = `the error-rate gate stopped the rollout: ${verdict.summary}`;
      } catch (err) {
        why = `the error-rate gate could not read haproxy: ${(err as Error).message}`;
      }
      for (const s of ss) s.event('error-gate', title, why === undefined, windowMs, verdict?.summary ?? why ?? '');
      const word = why === undefined ? (verdict?.inconclusive ? 'passed on too little traffic' : 'passed') : 'FAILED';
      this.o.notice?.(`error-rate gate, batch ${index.batch}/${index.of}: ${word}: ${verdict?.summary ?? why}`);
      if (why !== undefined) this.stoppedBy ??= why;
      const result = verdict ? { errorGate: resultOf(verdict, this.o, windowMs) } : undefined;
      return { reports: this.amend(reports, ss, marks, result), stop: why !== undefined };
    };
  }

  /** The steps the gate added to each watched host's session, and its measurement, into the batch's reports. */
  private amend(
    reports: HostReport[],
    ss: readonly HostSession[],
    marks: ReadonlyMap<string, number>,
    result?: Record<string, unknown>,
  ): HostReport[] {
    return reports.map((r) => {
      const s = ss.find((x) => x.host.name === r.host);
      if (!s) return r;
      const steps = [...r.steps, ...s.steps.slice(marks.get(r.host) ?? s.steps.length)];
      const merged = result ? { result: { ...((r.result as object | undefined) ?? {}), ...result } } : {};
      return { ...r, steps, ...merged };
    });
  }
}
