import type { Readable } from 'node:stream';
import { render, secretsOf, sudoParts, usesSudo, type Command } from '../shell/command.js';
import { maskText } from '../shell/secret.js';
import { ConnectionError } from '../errors/connection-error.js';
import { RemoteCommandError } from '../errors/remote-error.js';
import { InterruptedError } from '../errors/interrupted-error.js';
import { INTERRUPTED } from './exec-channel.js';
import type { SshConnection } from './connection.js';

export interface RemoteExecOptions {
  readonly stdin?: string | Uint8Array | Readable | undefined;
  readonly allowFailure?: boolean | undefined;
  readonly timeoutMs?: number | undefined;
  readonly sudoPassword?: string | undefined;
  readonly step?: string | undefined;
  readonly onStdout?: (chunk: Buffer) => void;
  readonly onStderr?: (text: string) => void;
  /** further values to mask in output and errors (e.g. the sudo password) */
  readonly secrets?: readonly string[];
  /** Ctrl-C: the command is signalled and closed, and InterruptedError thrown */
  readonly signal?: AbortSignal | undefined;
  /** see ChannelRequest */
  readonly keep?: number | undefined;
  readonly backpressure?: (() => Promise<void> | undefined) | undefined;
}

export interface RemoteExecResult {
  readonly command: string;
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

/**
 * Run a Command on a connection. A nonzero exit throws RemoteCommandError (host, masked command,
 * exit code, stdout/stderr tails) unless allowFailure — the one wrapper around "exit codes are errors".
 */
export async function remoteExec(
  conn: SshConnection,
  command: Command,
  options: RemoteExecOptions = {},
): Promise<RemoteExecResult> {
  const shown = render(command, { masked: true });
  const secrets = [
    ...secretsOf(command),
    ...(options.secrets ?? []),
    ...(options.sudoPassword ? [options.sudoPassword] : []),
  ];
  const started = performance.now();
  const res = await conn.exec({
    command: render(command, { masked: false }),
    stdin: options.stdin,
    sudo: usesSudo(command),
    sudoPassword: options.sudoPassword,
    timeoutMs: options.timeoutMs,
    secrets,
    signal: options.signal,
    keep: options.keep,
    backpressure: options.backpressure,
    ...(options.onStdout ? { onStdout: options.onStdout } : {}),
    ...(options.onStderr ? { onStderr: (t: string) => options.onStderr?.(maskText(t, secrets)) } : {}),
  });
  const durationMs = Math.round(performance.now() - started);
  if (res.aborted === INTERRUPTED)
    throw new InterruptedError(conn.target.name, shown, { stdout: res.stdout, stderr: res.stderr });
  if (res.aborted) {
    throw new RemoteCommandError(
      {
        host: conn.target.name,
        command: shown,
        exitCode: null,
        signal: undefined,
        stdout: res.stdout,
        stderr: res.stderr,
        step: options.step,
      },
      `[${conn.target.name}] ${options.step ? `${options.step}: ` : ''}${res.aborted} (\`${shown}\`)`,
    );
  }
  if (res.code === null && !res.signal && !conn.isOpen) {
    throw new ConnectionError(conn.target.name, `connection lost while running \`${shown}\``);
  }
  const code = res.code ?? -1;
  if (code !== 0 && !options.allowFailure) {
    const failure = {
      host: conn.target.name,
      command: shown,
      exitCode: res.code,
      signal: res.signal,
      stdout: res.stdout,
      stderr: res.stderr,
      step: options.step,
    };
    throw new RemoteCommandError(failure, sudoRefusal(conn, command, res.stderr, options.step));
  }
  return { command: shown, code, stdout: res.stdout, stderr: res.stderr, durationMs };
}

/** sudo's own words when it will not run a command (sudoers: no entry, not this command, no password). */
const SUDO_REFUSED =
  /is not in the sudoers file|is not allowed to (?:execute|run sudo)|a password is required|incorrect password attempt/;

/**
 * When sudo itself refused (not the command it ran), say so: which user, which command was denied,
 * and sudo's line — instead of a failed step with the whole script.
 */
function sudoRefusal(conn: SshConnection, command: Command, stderr: string, step?: string): string | undefined {
  if (!usesSudo(command)) return undefined;
  const line = stderr.split('\n').find((l) => SUDO_REFUSED.test(l));
  if (!line) return undefined;
  const denied = sudoParts(command, { masked: true }).join('; ');
  return (
    `[${conn.target.name}] ${step ? `${step}: ` : ''}sudo refused to run as root for ${conn.target.user}: ${line.trim()} ` +
    `— denied: \`${denied}\` (steps outside the deploy path run through sudo when the SSH user is not root)`
  );
}
