import type { Readable } from 'node:stream';
import type { Command } from '../shell/command.js';
import type { Host } from '../inventory/types.js';
import { SshConnection } from '../ssh/connection.js';
import type { EarlyConnections } from '../ssh/early-connections.js';
import { remoteExec, type RemoteExecResult } from '../ssh/remote-exec.js';
import type { SshTarget } from '../ssh/target.js';
import { RemoteCommandError, tail } from '../errors/remote-error.js';
import { FailedError } from '../errors/failed-error.js';
import { unixRequestOverSsh } from '../ssh/unix-request.js';
import type { StepOutcome } from '../task/types.js';
import { render } from '../shell/command.js';
import type { HostLog } from './host-log.js';

export interface SessionExec {
  readonly title?: string;
  readonly id?: string;
  readonly stdin?: string | Uint8Array | Readable;
  readonly allowFailure?: boolean;
  readonly timeoutMs?: number;
  readonly status?: StepOutcome['status'];
  readonly onStdout?: (chunk: Buffer) => void;
}

export interface SessionRequest {
  readonly title?: string;
  readonly id?: string;
  readonly status?: StepOutcome['status'];
  /** who listens on the socket, the first word of the step's command (default `unix`) */
  readonly kind?: string;
  /** says when the answer is whole (else: when the remote end closes) */
  readonly complete?: (received: Buffer) => boolean;
  /** the reply's refusal, if it is one: the step fails with this (HAProxy answers errors as text) */
  readonly refusal?: (reply: string) => string | undefined;
  readonly timeoutMs?: number;
  /**
   * The host the request is about, when it is another one (an LB drains an app host): the step
   * lands in that host's report and log too, since a rollout reports per app host.
   */
  readonly about?: HostSession;
}

export type PlannedRequest = Pick<SessionRequest, 'title' | 'id' | 'kind' | 'about'>;

/** How a socket request shows as a step's command: `haproxy /run/haproxy/admin.sock: set server …`. */
function requestShown(socketPath: string, payload: string, kind = 'unix'): string {
  return `${kind} ${socketPath}: ${payload.trimEnd().split('\n').join('; ')}`;
}

/** One host's side of a run: a lazily opened connection, every exec recorded for the report. */
export class HostSession {
  readonly host: Host;
  readonly target: SshTarget;
  readonly steps: StepOutcome[] = [];
  readonly log: HostLog;
  private readonly sudoPassword: string | undefined;
  private conn: Promise<SshConnection> | undefined;
  private readonly early: EarlyConnections | undefined;
  /** secret values this host's commands may print (an env file's): masked in every exec's output */
  private readonly secrets = new Set<string>();

  constructor(host: Host, target: SshTarget, log: HostLog, sudoPassword?: string, early?: EarlyConnections) {
    this.host = host;
    this.target = target;
    this.log = log;
    this.sudoPassword = sudoPassword;
    this.early = early;
  }

  connection(): Promise<SshConnection> {
    this.conn ??= this.early?.take(this.target) ?? SshConnection.open(this.target);
    return this.conn;
  }

  /** Start connecting now, to use the connection later (a failure shows at that use). */
  warm(): void {
    this.connection().catch(() => undefined);
  }

  /** Mask these values in the output of every exec from now on (they are never on an argv: stdin only). */
  mask(values: readonly string[]): void {
    for (const v of values) if (v) this.secrets.add(v);
  }

  get opened(): boolean {
    return this.conn !== undefined;
  }

  async channels(): Promise<number> {
    if (this.conn === undefined) return 0;
    try {
      return (await this.conn).channels;
    } catch {
      return 0;
    }
  }

  /** Run and record; throws RemoteCommandError on nonzero exit unless allowFailure. */
  async exec(command: Command, opts: SessionExec = {}): Promise<RemoteExecResult> {
    const shown = render(command, { masked: true });
    const title = opts.title ?? shown;
    this.log.line(`$ ${shown}`);
    const conn = await this.connection();
    const started = performance.now();
    try {
      const res = await remoteExec(conn, command, {
        stdin: opts.stdin,
        allowFailure: opts.allowFailure,
        timeoutMs: opts.timeoutMs,
        sudoPassword: this.sudoPassword,
        step: opts.title,
        ...(this.secrets.size ? { secrets: [...this.secrets] } : {}),
        ...(opts.onStdout ? { onStdout: opts.onStdout } : {}),
      });
      this.record(
        opts.id ?? title,
        title,
        shown,
        opts.status ?? 'ok',
        res.code,
        res.durationMs,
        res.stdout,
        res.stderr,
      );
      return res;
    } catch (err) {
      const ms = Math.round(performance.now() - started);
      if (err instanceof RemoteCommandError) {
        this.record(opts.id ?? title, title, shown, 'failed', err.exitCode, ms, err.stdout, err.stderr);
      } else {
        this.record(opts.id ?? title, title, shown, 'failed', null, ms, '', (err as Error).message);
      }
      throw err;
    }
  }

  /**
   * One request over a unix socket on this host (an SSH stream-local forward on this session's
   * connection: no process on the host), recorded like exec. Returns the reply.
   */
  async request(socketPath: string, payload: string, opts: SessionRequest = {}): Promise<string> {
    const shown = requestShown(socketPath, payload, opts.kind);
    const title = opts.title ?? shown;
    const id = opts.id ?? title;
    const mirror = opts.about && opts.about !== this ? opts.about : undefined;
    this.log.line(`$ ${shown}`);
    const conn = await this.connection();
    const started = performance.now();
    const ms = () => Math.round(performance.now() - started);
    let reply: string;
    try {
      reply = await unixRequestOverSsh(conn, socketPath, payload, opts.timeoutMs, opts.complete);
    } catch (err) {
      const o = this.record(id, title, shown, 'failed', null, ms(), '', (err as Error).message);
      mirror?.adopt(this.host.name, o);
      throw err;
    }
    const refused = opts.refusal?.(reply);
    const status = refused === undefined ? (opts.status ?? 'ok') : 'failed';
    const o = this.record(id, title, shown, status, null, ms(), reply, refused ?? '');
    mirror?.adopt(this.host.name, o);
    if (refused !== undefined) throw new FailedError(refused, this.host.name);
    return reply;
  }

  /** Record a socket request that did not run (dry-run), like plan. */
  planRequest(socketPath: string, payload: string, opts: PlannedRequest = {}): StepOutcome {
    const shown = requestShown(socketPath, payload, opts.kind);
    const title = opts.title ?? shown;
    this.log.line(`(dry-run) $ ${shown}`);
    const o = this.record(opts.id ?? title, title, shown, 'planned', null, 0, '', '');
    if (opts.about && opts.about !== this) opts.about.adopt(this.host.name, o);
    return o;
  }

  /** A step another host ran for this one (an LB's runtime line): in this report and log, marked with that host. */
  private adopt(from: string, outcome: StepOutcome): void {
    const failed = outcome.status === 'failed' ? ` FAILED: ${outcome.stderr}` : '';
    this.log.line(`[${from}] ${outcome.status === 'planned' ? '(dry-run) ' : ''}$ ${outcome.command}${failed}`);
    this.steps.push(outcome);
  }

  /** Record something done without a remote command (a runtime API call, a health gate) for the report. */
  event(id: string, title: string, ok: boolean, durationMs: number, detail = ''): StepOutcome {
    this.log.line(`${ok ? 'ok' : 'FAILED'}: ${title}${detail ? ` — ${detail}` : ''}`);
    const outcome: StepOutcome = {
      id,
      title,
      command: '',
      status: ok ? 'ok' : 'failed',
      exitCode: null,
      durationMs,
      stdout: ok ? tail(detail) : '',
      stderr: ok ? '' : tail(detail),
    };
    this.steps.push(outcome);
    return outcome;
  }

  /** Record a planned action that is not a remote command (dry-run of runtime API calls, gates). */
  planNote(id: string, title: string): StepOutcome {
    this.log.line(`(dry-run) ${title}`);
    const outcome: StepOutcome = {
      id,
      title,
      command: `# ${title}`,
      status: 'planned',
      exitCode: null,
      durationMs: 0,
      stdout: '',
      stderr: '',
    };
    this.steps.push(outcome);
    return outcome;
  }

  /** Record a step that did not run (dry-run). */
  plan(id: string, title: string, command: Command): StepOutcome {
    const shown = render(command, { masked: true });
    this.log.line(`(dry-run) $ ${shown}`);
    return this.record(id, title, shown, 'planned', null, 0, '', '');
  }

  private record(
    id: string,
    title: string,
    command: string,
    status: StepOutcome['status'],
    exitCode: number | null,
    durationMs: number,
    stdout: string,
    stderr: string,
  ): StepOutcome {
    const outcome: StepOutcome = {
      id,
      title,
      command,
      status,
      exitCode,
      durationMs,
      stdout: tail(stdout),
      stderr: tail(stderr),
    };
    if (stdout) this.log.line(stdout);
    if (stderr) this.log.line(`stderr: ${stderr}`);
    if (status !== 'planned') this.log.line(`exit ${exitCode ?? 'none'} after ${durationMs} ms`);
    this.steps.push(outcome);
    return outcome;
  }

  async close(): Promise<void> {
    if (this.conn !== undefined) {
      try {
        (await this.conn).close();
      } catch {
        // never connected: nothing to close
      }
    }
    await this.log.close();
  }
}
