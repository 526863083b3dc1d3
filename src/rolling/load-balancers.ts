import { FailedError } from '../errors/failed-error.js';
import {
  findServerStat, parseSetReply, parseShowStat, runtimePayload, runtimeReplyComplete, setServerState, showStat,
  type AdminState, type StatRow,
} from '../ops/haproxy/runtime.js';
import type { HostSession } from '../runner/host-session.js';
import { unixRequestOverSsh } from '../ssh/unix-request.js';

export interface LbEndpoint {
  readonly session: HostSession;
  readonly socket: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** the answer to n chained runtime commands is whole at its n-th terminating empty line */
const replies = (n: number) => (received: Buffer) => runtimeReplyComplete(received.toString('latin1'), n);

/** Every LB host's HAProxy runtime API, reached over its own SSH connection (stream-local forward). */
export class LoadBalancers {
  readonly endpoints: readonly LbEndpoint[];
  readonly backend: string;

  constructor(endpoints: readonly LbEndpoint[], backend: string) {
    this.endpoints = endpoints;
    this.backend = backend;
  }

  get empty(): boolean {
    return this.endpoints.length === 0;
  }

  /** `set server <backend>/<server> state …` on every LB; a refusal names the LB and HAProxy's words. */
  async setState(server: string, state: AdminState): Promise<void> {
    const line = setServerState(this.backend, server, state);
    await Promise.all(
      this.endpoints.map(async (lb) => {
        const reply = parseSetReply(await unixRequestOverSsh(await lb.session.connection(), lb.socket, runtimePayload(line), undefined, replies(1)));
        if (!reply.ok) throw new FailedError(`[${lb.session.host.name}] haproxy refused "${line}": ${reply.message}`, lb.session.host.name);
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

  /** This server's row of `show stat` on every LB. */
  async stats(server: string): Promise<Array<{ lb: string; row: StatRow | undefined }>> {
    return Promise.all(
      this.endpoints.map(async (lb) => {
        const text = await unixRequestOverSsh(await lb.session.connection(), lb.socket, runtimePayload(showStat(this.backend)), undefined, replies(1));
        return { lb: lb.session.host.name, row: findServerStat(parseShowStat(text), this.backend, server) };
      }),
    );
  }

  /** Poll until `ok` holds for the server on every LB, or fail after timeoutMs naming the LBs that disagree. */
  async waitFor(server: string, what: string, ok: (row: StatRow) => boolean, timeoutMs: number, first?: Array<{ lb: string; row: StatRow | undefined }>): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let known = first;
    for (;;) {
      const rows = known ?? (await this.stats(server));
      known = undefined;
      const missing = rows.filter((r) => !r.row);
      if (missing.length) throw new FailedError(`server ${this.backend}/${server} is not in haproxy on ${missing.map((m) => m.lb).join(', ')}`);
      const bad = rows.filter((r) => r.row && !ok(r.row));
      if (bad.length === 0) return;
      if (Date.now() >= deadline) {
        throw new FailedError(`${what}: not reached within ${timeoutMs} ms (${bad.map((b) => `${b.lb}: ${b.row?.status} scur=${b.row?.scur}`).join('; ')})`);
      }
      await sleep(50);
    }
  }
}
