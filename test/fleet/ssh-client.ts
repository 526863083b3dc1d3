import { spawn } from 'node:child_process';
import type { ExecOptions, ExecResult } from './types.js';

export interface SshTarget {
  address: string;
  port: number;
}

/** Arguments (after `ssh`) reaching `target` with the fleet's key and known_hosts, ignoring ~/.ssh/config. */
export function sshArgsFor(target: SshTarget, clientKey: string, knownHosts: string, user = 'root'): string[] {
  return [
    '-F',
    '/dev/null',
    '-i',
    clientKey,
    '-p',
    String(target.port),
    '-o',
    'BatchMode=yes',
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `UserKnownHostsFile=${knownHosts}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    'ConnectTimeout=20',
    '-o',
    'LogLevel=ERROR',
    '-l',
    user,
    target.address,
  ];
}

/** Run the system ssh client with `args` plus `script` as the remote command. */
export function runSsh(args: readonly string[], script: string, options: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const stdin = options.input === undefined ? 'ignore' : 'pipe';
    const child = spawn('ssh', [...args, '--', script], { stdio: [stdin, 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 255), stdout, stderr }));
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}
