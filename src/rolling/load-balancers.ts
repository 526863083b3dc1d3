import { FailedError } from '../errors/failed-error.js';
import {
  findServerStat,
  parseSetReply,
  parseShowStat,
  runtimePayload,
  runtimeReplyComplete,
  setServerState,
  showStat,
  type AdminState,
  type RuntimeLine,
  type StatRow,
} from '../ops/haproxy/runtime.js';
import type { HostSession } from '../runner/host-session.js';
import type { StatSample } from '../ops/haproxy/error-rate.js';

export interface LbEndpoint {
  readonly session: HostSession;
  readonly socket: string;
}

/** a soft-stopping HAProxy's answer for its disabled proxies, and how long it is asked again */
const OLD_PROCESS_REPLY = /: Proxy is disabled\.?$/;
const OLD_PROCESS_MS = 5000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** the answer to one runtime command is whole at its terminating empty line */
const whole = (received: Buffer) => runtimeReplyComplete(received.toString('latin1'), 1);

/**
 * Every LB host's HAProxy runtime API, reached over its own SSH connection (stream-local forward).
 * Each runtime line is a step on the LB's session; bound to an app host (`about`), the step lands
 * in that host's report too.
 */
export class LoadBalancers {
  readonly endpoints: readonly LbEndpoint[];
  readonly backend: string;
  /** the app host whose report gets the runtime lines too */
  private readonly host: HostSession | undefined;

  constructor(endpoints: readonly LbEndpoint[], backend: string, host?: HostSession) {
    this.endpoints = endpoints;
    this.backend = backend;
    this.host = host;
  }

  get empty(): boolean {
    return this.endpoints.length === 0;
  }

  /** The same LBs, recording their runtime lines in `host`'s report as well. */
  about(host: HostSession): LoadBalancers {
    return new LoadBalancers(this.endpoints, this.backend, host);
  }

  private step(lb: LbEndpoint, line: RuntimeLine, id: string, report = true) {
    const about = report && this.host ? { about: this.host } : {};
    return { id, title: `haproxy on ${lb.session.host.name}: ${line}`, kind: 'haproxy', ...about };
  }

  /** Dry-run: the `set server … state …` line each LB would get, as a planned step. */
  plan(server: string, state: AdminState): void {
    const line = setServerState(this.backend, server, state);
    for (const lb of this.endpoints) {
      lb.session.planRequest(lb.socket, runtimePayload(line), this.step(lb, line, `haproxy-${state}`));
    }
  }

  /**
   * `set server <backend>/<server> state …` on every LB; a refusal names the LB and HAProxy's words.
   * Right after a reload (`-sf` with `-x`) the old process, soft-stopping, may still accept on the
   * handed-over stats socket and answer "Proxy is disabled." (seen in the rolling e2e under load):
   * that answer is asked again for a few seconds, until the new process takes the line.
   */
  async setState(server: string, state: AdminState): Promise<void> {
    const line = setServerState(this.backend, server, state);
    const refusal = (reply: string) => {
      const r = parseSetReply(reply);
      return r.ok ? undefined : `haproxy refused "${line}": ${r.message}`;
    };
    await Promise.all(
      this.endpoints.map(async (lb) => {
        const opts = {
          ...this.step(lb, line, `haproxy-${state}`),
          complete: whole,
          status: 'changed' as const,
          refusal,
        };
        const deadline = Date.now() + OLD_PROCESS_MS;
        for (;;) {
          try {
            return await lb.session.request(lb.socket, runtimePayload(line), opts);
          } catch (err) {
            if (!OLD_PROCESS_REPLY.test((err as Error).message) || Date.now() >= deadline) throw err;
            await sleep(50);
          }
        }
      }),
    );
  }

  /**
   * `set server … state …`, then a fresh look at the server, on every LB. Two requests, not one
   * `;`-chained line: HAProxy writes a chained reply in two pieces and sshd holds the second
   * (Nagle) until the client's delayed ACK, ~40 ms; two single-piece replies take ~1 ms each.
   */
  async setStateAndStats(server: string, state: AdminState): Promise<Array<{ lb: string; row: StatRow | undefined }>> {
    await this.setState(server, state);
    return this.stats(server);
  }

  /**
   * This server's row of `show stat` on every LB. A poll (`report` false) is in the LB's log and
   * steps only: a wait may poll hundreds of times, and the host's report has the wait as one step.
   */
  async stats(server: string, report = true): Promise<Array<{ lb: string; row: StatRow | undefined }>> {
    return Promise.all(
      this.endpoints.map(async (lb) => {
        const line = showStat(this.backend);
        const opts = { ...this.step(lb, line, 'haproxy-stat', report), complete: whole };
        const text = await lb.session.request(lb.socket, runtimePayload(line), opts);
        const name = lb.session.host.name;
        return { lb: name, row: findServerStat(parseShowStat(text, name), this.backend, server) };
      }),
    );
  }

  /**
   * `show stat <backend> 4 -1` on every LB: every server's row, counters included (one look of
   * the error-rate gate, one request per LB).
   */
  async sample(id: string): Promise<StatSample[]> {
    const line = showStat(this.backend);
    return Promise.all(
      this.endpoints.map(async (lb) => {
        const opts = { ...this.step(lb, line, id), complete: whole };
        const text = await lb.session.request(lb.socket, runtimePayload(line), opts);
        return { lb: lb.session.host.name, rows: parseShowStat(text, lb.session.host.name) };
      }),
    );
  }

  /** Dry-run: the `show stat` each LB would get, as a planned step. */
  planSample(id: string): void {
    const line = showStat(this.backend);
    for (const lb of this.endpoints) lb.session.planRequest(lb.socket, runtimePayload(line), this.step(lb, line, id));
  }

  /** Poll until `ok` holds for the server on every LB, or fail after timeoutMs naming the LBs that disagree. */
  async waitFor(
    server: string,
    what: string,
    ok: (row: StatRow) => boolean,
    timeoutMs: number,
    first?: Array<{ lb: string; row: StatRow | undefined }>,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let known = first;
    for (;;) {
      const rows = known ?? (await this.stats(server, false));
      known = undefined;
      const missing = rows.filter((r) => !r.row);
      if (missing.length)
        throw new FailedError(
          `server ${this.backend}/${server} is not in haproxy on ${missing.map((m) => m.lb).join(', ')}`,
        );
      const bad = rows.filter((r) => r.row && !ok(r.row));
      if (bad.length === 0) return;
      if (Date.now() >= deadline) {
        throw new FailedError(
          `${what}: not reached within ${timeoutMs} ms (${bad.map((b) => `${b.lb}: ${b.row?.status} scur=${b.row?.scur}`).join('; ')})`,
        );
      }
      await sleep(50);
    }
  }
}
