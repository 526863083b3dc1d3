import type { Readable } from 'node:stream';
import { render, secretsOf, type Command } from '../shell/command.js';
import { maskText } from '../shell/secret.js';
import { ConnectionError } from '../errors/connection-error.js';
import { RemoteCommandError } from '../errors/remote-error.js';
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
    sudo: Boolean(command.sudo),
    sudoPassword: options.sudoPassword,
    timeoutMs: options.timeoutMs,
    secrets,
    ...(options.onStdout ? { onStdout: options.onStdout } : {}),
    ...(options.onStderr ? { onStderr: (t: string) => options.onStderr?.(maskText(t, secrets)) } : {}),
  });
  const durationMs = Math.round(performance.now() - started);
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
    throw new RemoteCommandError({
      host: conn.target.name,
      command: shown,
      exitCode: res.code,
      signal: res.signal,
      stdout: res.stdout,
      stderr: res.stderr,
      step: options.step,
    });
  }
  return { command: shown, code, stdout: res.stdout, stderr: res.stderr, durationMs };
}
