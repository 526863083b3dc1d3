import { spawn } from 'node:child_process';
import { FailedError, tail } from '../errors/index.js';

export interface LocalResult {
  readonly code: number;
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

/**
 * Run a command on the control machine (argv, no shell): the one local counterpart of remoteExec. A nonzero exit, a signal or a spawn
 * error throws FailedError naming the step and the tail of its output.
 */
export function runLocal(step: string, argv: readonly string[], options: LocalOptions = {}): Promise<LocalResult> {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('runLocal: empty argv');
  const keep = options.keep ?? 64_000;
  return new Promise((resolve, reject) => {
    const out = new Tail(keep);
    const err = new Tail(keep);
    const child = spawn(file, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8').on('data', (c: string) => out.push(c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => err.push(c));
    child.on('error', (e) => reject(new FailedError(`${step}: cannot run \`${showArgv(argv)}\`: ${e.message}`, undefined, { cause: e })));
    child.on('close', (code, signal) => {
      const stdout = out.value();
      const stderr = err.value();
      if (code === 0 || (options.allowFailure && code !== null)) return resolve({ code: code ?? 0, stdout, stderr });
      const why = code === null ? `killed by ${signal ?? 'signal'}` : `exit ${code}`;
      const detail = tail(`${stdout.trim()}\n${stderr.trim()}`.trim(), 1500);
      reject(new FailedError(`${step}: \`${showArgv(argv)}\` failed (${why})${detail ? `:\n${detail}` : ''}`));
    });
  });
}
