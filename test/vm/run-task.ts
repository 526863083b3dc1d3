/**
 * How the VM tests run a ferry task on the VM. Two ways, same result shape:
 *  - `harness`: the task module's run() through the test-only ssh harness (ssh-task-context.ts);
 *  - `cli`: the real CLI, `node dist/ferry/bin.cjs <task> --inventory <work>/inventory.yaml
 *    --known-hosts <work>/known_hosts -i <work>/id_ed25519 --hosts vm --<param> … --json <file>`,
 *    reading the task's result from the JSON report.
 * The one line choosing between them is `runTask` below (FERRY_VM_RUNNER overrides it).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TaskDefinition } from '../../src/task/types.js';
import type { StorageReport } from '../../src/ops/storage/report.js';
import type { Vm } from './vm.js';
import { sshTaskContext } from './ssh-task-context.js';

export interface TaskRun {
  readonly report: StorageReport;
  readonly logs: readonly string[];
  readonly ms: number;
}

type Runner = (vm: Vm, task: TaskDefinition, params: Record<string, unknown>, dryRun?: boolean) => Promise<TaskRun>;

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const CLI = process.env.FERRY_CLI ?? join(REPO, 'dist/ferry/bin.cjs');

export const runTaskViaHarness: Runner = async (vm, task, params, dryRun = false) => {
  const parsed = task.params ? task.params.parse(params) : params;
  const ctx = sshTaskContext(vm.target, parsed, dryRun);
  const t0 = Date.now();
  const report = (await task.run(ctx)) as StorageReport;
  return { report, logs: ctx.logs, ms: Date.now() - t0 };
};

/** `{ devices: [a, b], force: true, chunk: 256 }` → `--devices a,b --force --chunk 256` */
export function paramFlags(params: Record<string, unknown>): string[] {
  return Object.entries(params).flatMap(([k, v]) => {
    const flag = `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    if (v === undefined || v === false) return [];
    if (v === true) return [flag];
    if (Array.isArray(v)) return [flag, v.map(String).join(',')];
    return [flag, String(v)];
  });
}

export const runTaskViaCli: Runner = async (vm, task, params, dryRun = false) => {
  const reportFile = join(vm.work, `report-${Date.now()}.json`);
  const argv = [
    CLI, task.name, '--project', REPO, '--inventory', join(vm.work, 'inventory.yaml'), '--known-hosts', join(vm.work, 'known_hosts'),
    '-i', join(vm.work, 'id_ed25519'), '--hosts', 'vm', '--json', reportFile, ...(dryRun ? ['--dry-run'] : []), ...paramFlags(params),
  ];
  const t0 = Date.now();
  const out = await new Promise<{ code: number; text: string }>((resolve, reject) => {
    const child = spawn(process.execPath, argv, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (text += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (text += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, text }));
  });
  const ms = Date.now() - t0;
  if (!existsSync(reportFile)) throw new Error(`ferry ${task.name} exited ${out.code} without a report:\n${out.text}`);
  const run = JSON.parse(readFileSync(reportFile, 'utf8')) as { hosts: Array<{ status: string; result?: unknown; error?: { message: string } }> };
  const host = run.hosts[0];
  if (!host || host.status !== 'ok') throw new Error(host?.error?.message ?? `ferry ${task.name} exited ${out.code}:\n${out.text}`);
  return { report: host.result as StorageReport, logs: out.text.split('\n'), ms };
};

/**
 * THE switch. Under `npm test` (pretest has just built dist/) the real CLI; a bare
 * `npx vitest run test/vm` uses the harness, which needs no build. FERRY_VM_RUNNER=cli|harness
 * forces one (FERRY_CLI points at another build's main.js).
 */
const chosen = process.env.FERRY_VM_RUNNER ?? (process.env.npm_lifecycle_event === 'test' ? 'cli' : 'harness');
export const runTask: Runner = chosen === 'cli' ? runTaskViaCli : runTaskViaHarness;
export const runnerName = chosen;
