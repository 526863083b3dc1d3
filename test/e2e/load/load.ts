import http from 'node:http';
import { assertLoopbackUrl } from './loopback.js';
import { versionOf } from './version.js';

export interface LoadOptions {
  /** http://127.x.y.z:port/path — loopback only */
  readonly url: string;
  /** requests started per second (open loop: a slow server does not slow the generator down) */
  readonly rps: number;
  /** stop after starting this many requests */
  readonly maxRequests: number;
  /** stop starting requests after this long */
  readonly maxMs: number;
  /** one request's limit; default 5000 ms */
  readonly requestTimeoutMs?: number;
  /** concurrent requests cap (a request that would exceed it counts as failed); default 256 */
  readonly maxInFlight?: number;
}

export interface LoadError {
  /** ms since the load started */
  readonly at: number;
  readonly status?: number;
  readonly error?: string;
}

export interface LoadResult {
  /** requests started */
  readonly sent: number;
  /** 2xx responses */
  readonly ok: number;
  /** non-2xx, connection errors, timeouts */
  readonly failed: number;
  readonly errors: LoadError[];
  /** per version announced by 2xx bodies (`unknown` when a body names none) */
  readonly versions: Record<string, number>;
  /**
   * requests retried once because a reused keep-alive connection was closed by the server before
   * any response byte (the race every HTTP client handles the same way for idempotent requests);
   * the retry's outcome is what counts in ok/failed
   */
  readonly staleRetries: number;
  readonly durationMs: number;
}

export interface Load {
  /** the tally so far, while the load runs */
  progress(): { readonly sent: number; readonly ok: number; readonly failed: number };
  /** stop starting requests, wait for those in flight, return the tally */
  stop(): Promise<LoadResult>;
  /** resolves when the load stops by itself (maxRequests or maxMs) or through stop() */
  readonly done: Promise<LoadResult>;
}

const MAX_BODY = 64 * 1024;
const TICK_MS = 5;

type Outcome = { status: number; body: string } | { error: string; stale: boolean };

export function startLoad(options: LoadOptions): Load {
  const url = assertLoopbackUrl(options.url);
  if (!(options.rps > 0) || !(options.maxRequests > 0) || !(options.maxMs > 0))
    throw new Error('load: rps, maxRequests and maxMs must be positive');
  const timeoutMs = options.requestTimeoutMs ?? 5000;
  const maxInFlight = options.maxInFlight ?? 256;
  const agent = new http.Agent({ keepAlive: true, maxSockets: maxInFlight });

  const start = Date.now();
  const now = (): number => Date.now() - start;
  let sent = 0;
  let ok = 0;
  let failed = 0;
  let staleRetries = 0;
  const errors: LoadError[] = [];
  const versions: Record<string, number> = {};
  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  let resolveDone: (r: LoadResult) => void = () => undefined;
  const done = new Promise<LoadResult>((r) => {
    resolveDone = r;
  });

  const fail = (e: LoadError): void => {
    failed++;
    errors.push(e);
  };

  const once = (fresh: boolean): Promise<Outcome> =>
    new Promise((resolve) => {
      let settled = false;
      const settle = (o: Outcome): void => {
        if (!settled) {
          settled = true;
          resolve(o);
        }
      };
      const req = http.get(url, { agent: fresh ? false : agent, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < MAX_BODY) chunks.push(c);
          size += c.length;
        });
        res.on('end', () => settle({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (err) =>
          settle({ error: `response: ${(err as NodeJS.ErrnoException).code ?? err.message}`, stale: false }),
        );
        res.on('aborted', () => settle({ error: 'response aborted', stale: false }));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (err: NodeJS.ErrnoException) => {
        // a reused keep-alive socket the server had already closed: nothing was answered
        const stale = req.reusedSocket && (err.code === 'ECONNRESET' || err.message === 'socket hang up');
        settle({ error: err.code ?? err.message, stale });
      });
    });

  const request = async (): Promise<void> => {
    const at = now();
    let outcome = await once(false);
    if ('error' in outcome && outcome.stale) {
      staleRetries++;
      outcome = await once(true);
    }
    if ('error' in outcome) return fail({ at, error: outcome.error });
    if (outcome.status < 200 || outcome.status > 299) return fail({ at, status: outcome.status });
    ok++;
    const v = versionOf(outcome.body) ?? 'unknown';
    versions[v] = (versions[v] ?? 0) + 1;
  };

  const launch = (): void => {
    sent++;
    if (inFlight.size >= maxInFlight) {
      fail({ at: now(), error: `more than ${maxInFlight} requests in flight` });
      return;
    }
    const p = request().finally(() => inFlight.delete(p));
    inFlight.add(p);
  };

  const finish = async (): Promise<LoadResult> => {
    if (!stopped) {
      stopped = true;
      clearInterval(timer);
      // each request settles within requestTimeoutMs (+ one retry), so this wait is bounded
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
      agent.destroy();
      resolveDone({ sent, ok, failed, errors, versions, staleRetries, durationMs: now() });
    }
    return done;
  };

  const tick = (): void => {
    if (stopped) return;
    const elapsed = now();
    if (elapsed >= options.maxMs || sent >= options.maxRequests) {
      void finish();
      return;
    }
    // open loop: start as many as the schedule says should have started by now (the first at t=0)
    const due = Math.min(options.maxRequests, Math.floor((elapsed * options.rps) / 1000) + 1);
    while (sent < due) launch();
    if (sent >= options.maxRequests) void finish();
  };

  const timer = setInterval(tick, TICK_MS);
  tick();

  return { stop: finish, done, progress: () => ({ sent, ok, failed }) };
}
