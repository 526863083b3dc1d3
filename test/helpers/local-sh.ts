import { spawn } from 'node:child_process';
import { render, type Command } from '../../src/shell/command.js';

export interface LocalShResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Run a rendered Command with a local /bin/sh, the way the remote shell does (pure builders, real
 * tools); `stdin` is piped in, as a step's stdin is. Killed after 30 s (code -1 then).
 */
export function localSh(command: Command, stdin: string | Uint8Array = ''): Promise<LocalShResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', render(command, { masked: false })], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    // a script that exits without reading its stdin must not fail the run with EPIPE
    child.stdin.on('error', () => undefined);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(stdin);
  });
}
