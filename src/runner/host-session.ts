import type { Readable } from 'node:stream';
import type { Command } from '../shell/command.js';
import type { Host } from '../inventory/types.js';
import { SshConnection } from '../ssh/connection.js';
import { onAbort } from '../ssh/on-abort.js';
import type { EarlyConnections } from '../ssh/early-connections.js';
import { remoteExec, type RemoteExecResult } from '../ssh/remote-exec.js';
import type { SshTarget } from '../ssh/target.js';
import { RemoteCommandError, tail } from '../errors/remote-error.js';
import { FailedError } from '../errors/failed-error.js';
import { unixRequestOverSsh } from '../ssh/unix-request.js';
import type { StepOutcome } from '../task/types.js';
import { render, secretsOf } from '../shell/command.js';
import { InterruptedError } from '../errors/interrupted-error.js';
import type { HostLog } from './host-log.js';
import { streamLines, type OutputStream } from './stream-lines.js';
import { interruptCommand, type InterruptSignal } from '../ops/interrupt.js';

/** After Ctrl-C's SIGINT, commands still running this long later get SIGTERM. */
const INTERRUPT_GRACE_MS = 2000;

/** Which remote stream a streamed line came from. */
export type { OutputStream };

export interface SessionExec {
  readonly title?: string;
  readonly id?: string;
  readonly stdin?: string | Uint8Array | Readable;
  readonly allowFailure?: boolean;
  readonly timeoutMs?: number;
  readonly status?: StepOutcome['status'];
  readonly onStdout?: (chunk: Buffer) => void;
  /**
   * Stream the output: each whole line of stdout and stderr as it arrives (masked; a partial line
   * waits for its end). The step's recorded stdout/stderr and the host log are as without it.
   */
  readonly onLine?: (line: string, stream: OutputStream) => void;
  /** with onLine: a promise while the terminal is behind (the remote command is paused until it settles) */
  readonly backpressure?: () => Promise<void> | undefined;
  /** keep only the last this many bytes of stdout/stderr in memory (output too big to hold) */
  readonly keep?: number;
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
  /** Ctrl-C: the running command is signalled and closed, and no further one starts */
  private readonly signal: AbortSignal | undefined;
  private readonly stopWaiting: () => void;
  /** commands running now (those Ctrl-C must stop) */
  private running = 0;
  /** interrupt commands under way: close() waits for them (they write to the log) */
  private readonly interrupts: Promise<void>[] = [];
  private closing = false;
  /** secret values this host's commands may print (an env file's): masked in every exec's output */
  private readonly secrets = new Set<string>();

  constructor(
    host: Host,
    target: SshTarget,
    log: HostLog,
    sudoPassword?: string,
    early?: EarlyConnections,
    signal?: AbortSignal,
  ) {
    this.host = host;
    this.target = target;
    this.log = log;
    this.sudoPassword = sudoPassword;
    this.early = early;
    this.signal = signal;
    this.stopWaiting = onAbort(signal, () => this.interruptRunning());
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

  /** transient connect failures retried before the connection got through (0 if it failed or never opened) */
  async connectRetries(): Promise<number> {
    return this.conn === undefined
      ? 0
      : this.conn.then(
          (c) => c.retries,
          () => 0,
        );
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
    if (this.signal?.aborted) throw new InterruptedError(this.host.name);
    this.log.line(`$ ${shown}`);
    const conn = await this.connection();
    const started = performance.now();
    const secrets = [...secretsOf(command), ...this.secrets, ...(this.sudoPassword ? [this.sudoPassword] : [])];
    const lines = opts.onLine ? streamLines(secrets, opts.onLine, this.log) : undefined;
    this.running += 1;
    try {
      const res = await remoteExec(conn, command, {
        stdin: opts.stdin,
        allowFailure: opts.allowFailure,
        timeoutMs: opts.timeoutMs,
        sudoPassword: this.sudoPassword,
        step: opts.title,
        signal: this.signal,
        keep: opts.keep,
        ...(this.secrets.size ? { secrets: [...this.secrets] } : {}),
        ...(lines && opts.backpressure ? { backpressure: opts.backpressure } : {}),
        ...(opts.onStdout || lines
          ? {
              onStdout: (chunk: Buffer) => {
                opts.onStdout?.(chunk);
                lines?.out.push(chunk);
                lines?.toLog();
              },
            }
          : {}),
        ...(lines
          ? {
              onStderr: (text: string) => {
                lines.err.push(text);
                lines.toLog();
              },
            }
          : {}),
      });
      lines?.end();
      this.record(
        opts.id ?? title,
        title,
        shown,
        opts.status ?? 'ok',
        res.code,
        res.durationMs,
        res.stdout,
        res.stderr,
        lines !== undefined,
      );
      return res;
    } catch (err) {
      lines?.end();
      const ms = Math.round(performance.now() - started);
      if (err instanceof RemoteCommandError || err instanceof InterruptedError) {
        this.record(
          opts.id ?? title,
          title,
          shown,
          'failed',
          err instanceof RemoteCommandError ? err.exitCode : null,
          ms,
          err.stdout,
          err.stderr,
          lines !== undefined,
        );
      } else {
        this.record(opts.id ?? title, title, shown, 'failed', null, ms, '', (err as Error).message);
      }
      throw err;
    } finally {
      this.running -= 1;
    }
  }

  /**
   * An interactive session on ferry's terminal (`ferry ssh`, `ferry exec -i`): the login shell, or
   * `command` with a PTY when `tty`. Logged and recorded like exec, without its output (that went
   * to the terminal only). Resolves with the exit code.
   */
  async interactive(command?: Command, opts: { tty?: boolean; title?: string } = {}): Promise<number> {
    const shown = command ? render(command, { masked: true }) : '(login shell)';
    const title = opts.title ?? (command ? shown : 'interactive shell');
    this.log.line(`$ ${shown} (interactive)`);
    const conn = await this.connection();
    const started = performance.now();
    const code = await conn.interactive({
      ...(command ? { command: render(command, { masked: false }) } : {}),
      ...(opts.tty !== undefined ? { tty: opts.tty } : {}),
    });
    const ms = Math.round(performance.now() - started);
    this.record(title, title, shown, code === 0 ? 'ok' : 'failed', code, ms, '', '');
    return code;
  }

  /** Ctrl-C: SIGINT to this connection's running commands (see ops/interrupt.ts), SIGTERM to those left. */
  private interruptRunning(): void {
    if (this.running === 0 || this.conn === undefined) return;
    this.interrupts.push(this.sendInterrupt('INT'));
    setTimeout(() => {
      if (this.running > 0 && !this.closing) this.interrupts.push(this.sendInterrupt('TERM'));
    }, INTERRUPT_GRACE_MS).unref();
  }

  /** Run on its own channel, never itself interrupted; recorded like any step. */
  private async sendInterrupt(sig: InterruptSignal): Promise<void> {
    const c = interruptCommand(sig);
    const shown = render(c, { masked: true });
    this.log.line(`$ ${shown}`);
    try {
      const conn = await this.connection();
      const res = await remoteExec(conn, c, { allowFailure: true, timeoutMs: 5000, step: `interrupt (SIG${sig})` });
      this.record(
        `interrupt:${sig}`,
        `interrupt (SIG${sig})`,
        shown,
        'ok',
        res.code,
        res.durationMs,
        res.stdout,
        res.stderr,
      );
    } catch (err) {
      this.record(`interrupt:${sig}`, `interrupt (SIG${sig})`, shown, 'failed', null, 0, '', (err as Error).message);
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

  /**
   * Record a step that did not run (dry-run). Its title is the line a person reads in the plan
   * (`upload 1.2 MB`, `switch A → B`); the command shows with -v.
   */
  plan(id: string, title: string, command: Command, extra: { readonly bytes?: number } = {}): StepOutcome {
    const shown = render(command, { masked: true });
    this.log.line(`(dry-run) $ ${shown}`);
    const o = this.record(id, title, shown, 'planned', null, 0, '', '');
    if (extra.bytes === undefined) return o;
    const withBytes = { ...o, bytes: extra.bytes };
    this.steps[this.steps.length - 1] = withBytes;
    return withBytes;
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
    /** streamed: the output is in the log already, line by line */
    logged = false,
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
    if (stdout && !logged) this.log.line(stdout);
    if (stderr && !logged) this.log.line(`stderr: ${stderr}`);
    if (status !== 'planned') this.log.line(`exit ${exitCode ?? 'none'} after ${durationMs} ms`);
    this.steps.push(outcome);
    return outcome;
  }

  async close(): Promise<void> {
    this.closing = true;
    this.stopWaiting();
    await Promise.all(this.interrupts);
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
