/**
 * How the VM tests run a ferry task on the VM: the real, built CLI, as an operator would —
 * `ferry <task> --project <repo> --inventory <work>/inventory.yaml --known-hosts <work>/known_hosts
 * -i <work>/id_ed25519 --hosts vm --<param> … --json <file>` over the VM's forwarded sshd — and
 * the task's result read from the JSON report. Needs `npm run build` first (pretest does it).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StorageReport } from '../../src/ops/storage/report.js';
import { ferry, FERRY_BIN, REPO } from '../helpers/ferry-cli.js';
import type { Vm } from './vm.js';

export interface TaskRun {
  readonly report: StorageReport;
  readonly logs: readonly string[];
  readonly ms: number;
}

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

/** The VM tests exercise the built CLI: without a build they fail, saying so (they never skip silently). */
export function assertBuilt(): void {
  if (!existsSync(FERRY_BIN)) throw new Error(`${FERRY_BIN} missing: run \`npm run build\` first`);
}

export interface VmRun {
  readonly code: number;
  readonly output: string;
  /** the JSON report's one host (undefined when ferry wrote none) */
  readonly host: ReportHost | undefined;
  readonly ms: number;
}

export interface ReportHost {
  readonly status: string;
  readonly result?: unknown;
  readonly error?: { readonly message: string };
  readonly steps: ReadonlyArray<{ readonly id: string; readonly status: string; readonly title: string }>;
}

/** `ferry <args…> --hosts vm` against the VM, from `project` (default: this repo). */
export async function ferryOnVm(vm: Vm, args: readonly string[], project = REPO): Promise<VmRun> {
  const reportFile = join(vm.work, `report-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  const flags = [
    '--project',
    project,
    '--inventory',
    join(vm.work, 'inventory.yaml'),
    '--known-hosts',
    join(vm.work, 'known_hosts'),
    '-i',
    join(vm.work, 'id_ed25519'),
    '--hosts',
    'vm',
    '--json',
    reportFile,
  ];
  const t0 = Date.now();
  const out = await ferry([...args.slice(0, 1), ...flags, ...args.slice(1)], { timeoutMs: 300_000, cwd: project });
  const ms = Date.now() - t0;
  const host = existsSync(reportFile)
    ? (JSON.parse(readFileSync(reportFile, 'utf8')) as { hosts: ReportHost[] }).hosts[0]
    : undefined;
  return { code: out.code, output: out.stdout + out.stderr, host, ms };
}

/** Run `ferry <task>` on the VM; a host that did not end ok throws with ferry's own error message. */
export async function runTask(
  vm: Vm,
  task: { readonly name: string },
  params: Record<string, unknown>,
  dryRun = false,
): Promise<TaskRun> {
  const r = await ferryOnVm(vm, [task.name, ...(dryRun ? ['--dry-run'] : []), ...paramFlags(params)]);
  if (!r.host) throw new Error(`ferry ${task.name} exited ${r.code} without a report:\n${r.output}`);
  if (r.host.status !== 'ok')
    throw new Error(r.host.error?.message ?? `ferry ${task.name} exited ${r.code}:\n${r.output}`);
  if (r.code !== 0) throw new Error(`ferry ${task.name}: host ok but exit ${r.code}:\n${r.output}`);
  return { report: r.host.result as StorageReport, logs: r.output.split('\n'), ms: r.ms };
}
