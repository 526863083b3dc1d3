import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { render, type Command } from '../../src/shell/command.js';

const run = promisify(execFile);

/** Run a rendered Command with a local /bin/sh, the way the remote shell does (pure builders, real tools). */
export async function localSh(command: Command): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('/bin/sh', ['-c', render(command, { masked: false })], { timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}
