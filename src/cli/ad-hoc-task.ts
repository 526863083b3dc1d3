import type { Host } from '../inventory/types.js';
import { runTask } from '../runner/run-task.js';
import { defineTask } from '../task/define-task.js';
import type { TaskContext } from '../task/types.js';
import { commandLine } from './command-word.js';
import type { GlobalOptions } from './global-options.js';
import { catchInterrupt } from './interrupt.js';
import { finishRun } from './report-output.js';
import type { RunEnv } from './run-env.js';

/**
 * A command line's one-off task (`ferry run`, `ferry exec`) on the selected hosts: handshakes start
 * while the UI loads, Ctrl-C stops the remote commands, and the report is printed and saved as a
 * task's is. `run` gets each host's context; what it returns is the host's result.
 */
export async function runAdHocTask(
  env: RunEnv,
  all: GlobalOptions,
  hosts: readonly Host[],
  task: {
    readonly name: string;
    readonly description: string;
    run(ctx: TaskContext<Record<string, unknown>>): Promise<unknown>;
  },
): Promise<number> {
  if (!all.dryRun) await env.preconnect(hosts);
  const interrupt = catchInterrupt();
  try {
    const report = await runTask({
      task: defineTask({ name: task.name, description: task.description, run: (ctx) => task.run(ctx) }),
      params: {},
      hosts,
      allHosts: (await env.inventory()).hosts,
      dryRun: Boolean(all.dryRun),
      runId: env.runId,
      command: commandLine(),
      options: { ...(await env.runOptions(hosts)), signal: interrupt.signal },
    });
    return await finishRun(report, all, env.logDir);
  } finally {
    interrupt.dispose();
    await env.close();
  }
}
