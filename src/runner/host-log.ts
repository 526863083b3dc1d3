import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** How long a line may wait in memory before it reaches the file (a `tail -f` of a host log). */
const FLUSH_MS = 50;
/** More than this waiting is written at once. */
const FLUSH_BYTES = 64 * 1024;

/**
 * Logs with lines not yet written: flushed together by one timer, and when the process exits,
 * however it exits (but kill -9).
 */
const unflushed = new Set<HostLog>();
/** one timer for every log (a timer per host was a share of ferry's per-host CPU at 1,000 hosts) */
let flushTimer: NodeJS.Timeout | undefined;
let exitHook = false;
/** run log folders made so far (one mkdir per run, not per host) */
const made = new Set<string>();

function flushAll(): void {
  flushTimer = undefined;
  for (const log of unflushed) log.flush();
}

function flushSoon(log: HostLog): void {
  unflushed.add(log);
  if (!flushTimer) {
    flushTimer = setTimeout(flushAll, FLUSH_MS);
    flushTimer.unref();
  }
  if (!exitHook) {
    exitHook = true;
    process.on('exit', flushAll);
  }
}

/**
 * Per-host log file under .ferry/logs/<run-id>/<host>.log (masked text only). Lines are batched
 * (at most FLUSH_BYTES wait, so a streamed command never waits on its log) and written with plain
 * synchronous writes: at a few lines per host, a write stream per host
 * (an open, writes and a close through the thread pool) was ~0.25 ms of CPU per host, the
 * largest share of ferry's CPU above the bare-ssh2 floor at 200 hosts.
 */
export class HostLog {
  private readonly file: string | undefined;
  private fd: number | undefined;
  private pending = '';
  private closed = false;

  constructor(dir: string | undefined, host: string) {
    if (!dir) return;
    this.file = join(dir, `${host}.log`);
  }

  line(text: string): void {
    // a command still in flight when its session closed (its connection lost) ends after the log
    // did: that late line has nowhere to go
    if (!this.file || this.closed) return;
    this.pending += `${new Date().toISOString()} ${text.replace(/\n(?!$)/g, '\n    ')}${text.endsWith('\n') ? '' : '\n'}`;
    if (this.pending.length >= FLUSH_BYTES) this.flush();
    else flushSoon(this);
  }

  close(): Promise<void> {
    this.flush();
    this.closed = true;
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    return Promise.resolve();
  }

  /** Write what waits (called by the shared timer, at close and at exit). */
  flush(): void {
    unflushed.delete(this);
    if (!this.file || !this.pending) return;
    try {
      if (this.fd === undefined) {
        const dir = dirname(this.file);
        if (!made.has(dir)) mkdirSync(dir, { recursive: true });
        made.add(dir);
        this.fd = openSync(this.file, 'a', 0o600);
      }
      writeSync(this.fd, this.pending);
    } catch (err) {
      // a full disk or a removed folder costs the log, said once, never the run
      process.stderr.write(
        `ferry: warning: cannot write ${this.file}: ${(err as Error).message}; its lines are dropped\n`,
      );
      this.closed = true;
    }
    this.pending = '';
  }
}
