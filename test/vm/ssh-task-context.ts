/**
 * Test-only stand-in for ferry's runner: a TaskContext over the system `ssh` client. Facts run
 * always; apply runs steps in order (stdin piped) and stops at the first failure; in dry-run it
 * only records. To be replaced by the real CLI (see run-task.ts).
 */
import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { render, type Command, type Word } from '../../src/shell/command.js';
import { quote } from '../../src/shell/quote.js';
import { RemoteCommandError } from '../../src/errors/index.js';
import type { Host } from '../../src/inventory/types.js';
import type { ExecResult, RunOptions, StepOutcome, TaskContext } from '../../src/task/types.js';
import type { Fact } from '../../src/facts/fact.js';
import type { Step } from '../../src/ops/step.js';

export interface SshTarget {
  readonly host: Host;
  readonly identity: string;
  readonly knownHosts: string;
}

export function sshArgv(t: SshTarget, script: string): string[] {
  return [
    '-i', t.identity, '-p', String(t.host.port ?? 22),
    '-o', `UserKnownHostsFile=${t.knownHosts}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes',
    '-o', 'LogLevel=ERROR', '-o', 'ConnectTimeout=10',
    // one multiplexed connection (as ferry's runner keeps one per host): a handshake costs seconds under TCG
    '-o', 'ControlMaster=auto', '-o', `ControlPath=${dirname(t.knownHosts)}/ssh-%C`, '-o', 'ControlPersist=120',
    `${t.host.user ?? 'root'}@${t.host.address}`, '--', script,
  ];
}

export function sshExec(t: SshTarget, script: string, stdin?: string | Uint8Array): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', sshArgv(t, script), { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

function toScript(command: Command | readonly Word[] | string): string {
  if (typeof command === 'string') return command;
  if (Array.isArray(command)) return (command as readonly Word[]).map((w) => (typeof w === 'string' ? quote(w) : quote(w.secret))).join(' ');
  return render(command as Command, { masked: false });
}

export interface RecordingContext<P> extends TaskContext<P> {
  readonly logs: string[];
}

export function sshTaskContext<P>(t: SshTarget, params: P, dryRun: boolean): RecordingContext<P> {
  const logs: string[] = [];
  const run = async (command: Command | readonly Word[] | string, options: RunOptions = {}): Promise<ExecResult> => {
    const script = toScript(command);
    const r = await sshExec(t, script, options.stdin);
    if (r.code !== 0 && !options.allowFailure) {
      throw new RemoteCommandError({ host: t.host.name, command: script, exitCode: r.code, stdout: r.stdout, stderr: r.stderr });
    }
    return r;
  };
  return {
    host: t.host,
    hosts: [t.host],
    params,
    dryRun,
    logs,
    run,
    sudo: (command, options) => run(command, options),
    async fact<T>(fact: Fact<T>): Promise<T> {
      const r = await run(fact.command);
      return fact.parse(r.stdout);
    },
    async apply(steps: readonly Step[]): Promise<StepOutcome[]> {
      const out: StepOutcome[] = [];
      for (const s of steps) {
        const command = render(s.command, { masked: true });
        if (dryRun) {
          out.push({ id: s.id, title: s.title, command, status: 'planned', exitCode: null, durationMs: 0, stdout: '', stderr: '' });
          continue;
        }
        const t0 = Date.now();
        const r = await sshExec(t, render(s.command, { masked: false }), s.stdin);
        const ok = r.code === 0 || s.allowFailure === true;
        out.push({ id: s.id, title: s.title, command, status: ok ? 'changed' : 'failed', exitCode: r.code, durationMs: Date.now() - t0, stdout: r.stdout, stderr: r.stderr });
        if (!ok) throw new RemoteCommandError({ host: t.host.name, command, exitCode: r.code, stdout: r.stdout, stderr: r.stderr, step: s.id });
      }
      return out;
    },
    put: () => Promise.reject(new Error('put: not in the test harness')),
    get: () => Promise.reject(new Error('get: not in the test harness')),
    local: () => Promise.reject(new Error('local: not in the test harness')),
    log: (m) => void logs.push(m),
    title: () => undefined,
  };
}
