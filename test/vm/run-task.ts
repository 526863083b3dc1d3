/**
 * How the VM tests run a ferry task on the VM. Today: the task module's run() through the
 * test-only ssh harness. When the CLI exists, swap this one function for
 *   node dist/src/cli/main.js <task> --inventory <work>/inventory.yaml --known-hosts <work>/known_hosts
 *     -i <work>/id_ed25519 --hosts vm --devices … --json report.json
 * and read the same numbers from the JSON report.
 */
import type { TaskDefinition } from '../../src/task/types.js';
import type { StorageReport } from '../../src/ops/storage/report.js';
import type { Vm } from './vm.js';
import { sshTaskContext } from './ssh-task-context.js';

export interface TaskRun {
  readonly report: StorageReport;
  readonly logs: readonly string[];
  readonly ms: number;
}

export async function runTask(vm: Vm, task: TaskDefinition, params: Record<string, unknown>, dryRun = false): Promise<TaskRun> {
  const parsed = task.params ? task.params.parse(params) : params;
  const ctx = sshTaskContext(vm.target, parsed, dryRun);
  const t0 = Date.now();
  const report = (await task.run(ctx)) as StorageReport;
  return { report, logs: ctx.logs, ms: Date.now() - t0 };
}
