import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { RUSAGE_PY, SYSTEM_PYTHON } from './paths.js';
import { trackChild } from './guard.js';

export interface Measured {
  readonly code: number;
  /** wall time of the command, s (from its fork to its exit) */
  readonly wallS: number;
  /** user + sys CPU of the whole waited-for process tree, s (wait4's rusage) */
  readonly cpuS: number;
  readonly userS: number;
  readonly sysS: number;
  /** max RSS of the largest process of the tree, KB */
  readonly maxRssKB: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

export interface MeasureOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/**
 * Run `cmd args` under bench/lib/rusage.py: wall, CPU and RSS come from the kernel's rusage of it
 * and every descendant that was waited for (ssh children of pssh, ansible's forks, …), to the
 * microsecond. The child runs in its own process group, killed whole on timeout.
 */
export function measure(cmd: string, args: readonly string[], options: MeasureOptions = {}): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-bench-time-'));
  const out = join(dir, 'time');
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(SYSTEM_PYTHON, ['-S', '-E', RUSAGE_PY, out, cmd, ...args], {
      cwd: options.cwd,
      env: { ...process.env, NO_COLOR: '1', CI: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const untrack = trackChild(child);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, options.timeoutMs ?? 120_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      untrack();
      rmSync(dir, { recursive: true, force: true });
      reject(e);
    });
    child.on('close', (code) => {
      const outerS = (performance.now() - t0) / 1000;
      clearTimeout(timer);
      untrack();
      let text = '';
      try {
        text = readFileSync(out, 'utf8');
      } catch {
        /* killed before time wrote it */
      }
      rmSync(dir, { recursive: true, force: true });
      const [w = Number.NaN, u = Number.NaN, s = Number.NaN, m = Number.NaN] = text.trim().split(' ').map(Number);
      // killed before rusage.py wrote (a timeout): the wall as seen from here
      const wallS = Number.isNaN(w) ? outerS : w;
      resolve({ code: code ?? -1, wallS, userS: u, sysS: s, cpuS: u + s, maxRssKB: m, stdout, stderr, timedOut });
    });
  });
}

/** Throws with the tail of the output when the run failed. */
export function assertOk(what: string, m: Measured): Measured {
  if (m.code !== 0 || m.timedOut) {
    const tail = `${m.stdout}\n${m.stderr}`.trim().split('\n').slice(-15).join('\n');
    throw new Error(`${what} ${m.timedOut ? 'timed out' : `exited ${m.code}`}:\n${tail}`);
  }
  return m;
}
