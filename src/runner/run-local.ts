import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { FailedError, LocalCommandError, UsageError, tail } from '../errors/index.js';

export interface LocalResult {
  readonly code: number;
  /** empty when `stdout` consumed the stream */
  readonly stdout: string;
  readonly stderr: string;
}

export interface LocalOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** keep at most this many characters of each output stream (the tail) */
  readonly keep?: number;
  /** a nonzero exit resolves with its code instead of throwing */
  readonly allowFailure?: boolean;
  /**
   * Consume stdout as bytes instead of collecting it as text (`git archive` into the tar
   * extractor): it must read the stream to its end. If it fails, the command is killed.
   */
  readonly stdout?: (stream: Readable) => Promise<void>;
}

/** Keeps only the last `max` characters of a growing text: memory stays flat for chatty commands. */
class Tail {
  private text = '';
  constructor(private readonly max: number) {}
  push(chunk: string): void {
    this.text += chunk;
    if (this.text.length > this.max * 2) this.text = this.text.slice(this.text.length - this.max);
  }
  value(): string {
    return this.text.length > this.max ? this.text.slice(this.text.length - this.max) : this.text;
  }
}

/** A readable form of an argv, for messages only (never executed). */
export function showArgv(argv: readonly string[]): string {
  return argv.map((w) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : JSON.stringify(w))).join(' ');
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * Run a command on the control machine (argv, no shell): the one local counterpart of
 * remoteExec, for ctx.local, git, npm, pip and tsc alike. A nonzero exit or a signal throws
 * LocalCommandError (argv, exit code, stderr tail); a spawn error or a failing `stdout`
 * consumer throws FailedError. Every message starts with the step.
 */
export function runLocal(step: string, argv: readonly string[], options: LocalOptions = {}): Promise<LocalResult> {
  const [file, ...args] = argv;
  if (file === undefined) return Promise.reject(new UsageError(`${step}: nothing to run (empty argv)`));
  const keep = options.keep ?? 64_000;
  const shown = showArgv(argv);
  return new Promise((resolve, reject) => {
    const out = new Tail(keep);
    const err = new Tail(keep);
    const env = options.env ?? process.env;
    const child = spawn(file, args, { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr.setEncoding('utf8').on('data', (c: string) => err.push(c));
    let consumerFailed: { error: unknown; killed: boolean } | undefined;
    let consumed: Promise<void> = Promise.resolve();
    if (options.stdout) {
      consumed = options.stdout(child.stdout).catch((error: unknown) => {
        // stop a command still writing into a reader that gave up (else it blocks on a full pipe)
        const running = child.exitCode === null && child.signalCode === null;
        consumerFailed = { error, killed: running };
        if (running) child.kill();
      });
    } else {
      child.stdout.setEncoding('utf8').on('data', (c: string) => out.push(c));
    }
    child.on('error', (e) => {
      reject(new FailedError(`${step}: cannot run \`${shown}\`: ${e.message}`, undefined, { cause: e }));
    });
    child.on('close', (code, signal) => {
      void consumed.then(() => {
        const stdout = out.value();
        const stderr = err.value();
        const exited = code === 0 || (options.allowFailure === true && code !== null);
        if (consumerFailed && (exited || consumerFailed.killed)) {
          const e = consumerFailed.error;
          const why = `${step}: reading the output of \`${shown}\` failed: ${message(e)}`;
          return reject(new FailedError(why, undefined, { cause: e }));
        }
        if (exited) return resolve({ code: code ?? 0, stdout, stderr });
        const why = code === null ? `killed by ${signal ?? 'signal'}` : `exit ${code}`;
        const detail = tail(`${stdout.trim()}\n${stderr.trim()}`.trim(), 1500);
        const failure = { argv, exitCode: code, signal: signal ?? undefined, stderr: tail(stderr.trim(), 1500) };
        reject(new LocalCommandError(`${step}: \`${shown}\` failed (${why})${detail ? `:\n${detail}` : ''}`, failure));
      });
    });
  });
}
