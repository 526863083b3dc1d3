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

/** Run `ferry <task>` on the VM; a host that did not end ok throws with ferry's own error message. */
export async function runTask(
  vm: Vm,
  task: { readonly name: string },
  params: Record<string, unknown>,
  dryRun = false,
): Promise<TaskRun> {
  const reportFile = join(vm.work, `report-${Date.now()}.json`);
  const args = [
    task.name,
    '--project',
    REPO,
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
    ...(dryRun ? ['--dry-run'] : []),
    ...paramFlags(params),
  ];
  const t0 = Date.now();
  const out = await ferry(args, { timeoutMs: 300_000 });
  const ms = Date.now() - t0;
  const text = out.stdout + out.stderr;
  if (!existsSync(reportFile)) throw new Error(`ferry ${task.name} exited ${out.code} without a report:\n${text}`);
  type Report = { hosts: Array<{ status: string; result?: unknown; error?: { message: string } }> };
  const host = (JSON.parse(readFileSync(reportFile, 'utf8')) as Report).hosts[0];
  if (host?.status !== 'ok') {
    throw new Error(host?.error?.message ?? `ferry ${task.name} exited ${out.code}:\n${text}`);
  }
  if (out.code !== 0) throw new Error(`ferry ${task.name}: host ok but exit ${out.code}:\n${text}`);
  return { report: host.result as StorageReport, logs: text.split('\n'), ms };
}
