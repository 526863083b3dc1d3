import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { render, type Command } from '../../src/shell/command.js';

const run = promisify(execFile);

export interface LocalShResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Run a rendered Command with a local /bin/sh, the way the remote shell does (pure builders, real tools).
 * `stdin`, when given, is written to the command's stdin and closed, as the session's exec does.
 */
export async function localSh(command: Command, stdin?: string | Uint8Array): Promise<LocalShResult> {
  try {
    const pending = run('/bin/sh', ['-c', render(command, { masked: false })], { timeout: 30_000 });
    if (stdin !== undefined) pending.child.stdin?.end(stdin);
    const { stdout, stderr } = await pending;
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}
