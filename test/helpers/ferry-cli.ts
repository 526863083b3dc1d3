import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout's root (from test/helpers/ or from its compiled copy in dist/test/helpers/). */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || dir.endsWith('/dist')) dir = dirname(dir);
  return `${dir}/`;
}

export const REPO = repoRoot();
export const FERRY_BIN = `${REPO}dist/ferry/bin.cjs`;

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunningCli {
  /** resolves when the process has exited */
  readonly done: Promise<CliResult>;
  /** stdout + stderr so far, to wait on what the process shows while it runs */
  output(): string;
  exited(): boolean;
  /** send the process a signal (SIGINT: what Ctrl-C sends) */
  kill(signal: NodeJS.Signals): void;
  /** the ferry process (e.g. to read its /proc/<pid>/io while it runs) */
  readonly pid: number | undefined;
}

type CliOptions = { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number };

/** Run the built ferry CLI as a real process (no TTY), like an operator's shell would. */
export function ferry(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return startFerry(args, options).done;
}

/** Start the built ferry CLI and return at once: its output can be watched while it runs. */
export function startFerry(args: readonly string[], options: CliOptions = {}): RunningCli {
  const child = spawn(process.execPath, [FERRY_BIN, ...args], {
    cwd: options.cwd ?? REPO,
    env: { ...process.env, NO_COLOR: '1', CI: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let exited = false;
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      exited = true;
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
  return { done, output: () => stdout + stderr, exited: () => exited, kill: (s) => child.kill(s), pid: child.pid };
}

/** Common connection flags for a test fleet. */
export function fleetFlags(f: { inventoryFile: string; knownHosts: string; clientKey: string }): string[] {
  return ['--inventory', f.inventoryFile, '--known-hosts', f.knownHosts, '-i', f.clientKey];
}
