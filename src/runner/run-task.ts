import type { Host } from '../inventory/types.js';
import type { TaskDefinition } from '../task/types.js';
import { createTaskContext } from './task-context.js';
import { runOnHosts, type RunHostsOptions } from './run-hosts.js';
import type { RunReport } from './report.js';
import { atTaskLine } from './task-site.js';
import type { TaskFile } from '../ops/prep/site.js';

export interface RunTaskInput {
  readonly task: TaskDefinition;
  readonly params: unknown;
  readonly hosts: readonly Host[];
  readonly allHosts: readonly Host[];
  readonly dryRun: boolean;
  readonly runId: string;
  readonly command: string;
  readonly options: RunHostsOptions;
  /** the project folder: relative template paths of `ctx.apply` resolve against it */
  readonly projectDir?: string;
  /** the task's file: a usage error raised in it (a bad prep op) names file:line:column */
  readonly taskFile?: TaskFile;
}

/** Run a task on every selected host and collect the report. */
export async function runTask(i: RunTaskInput): Promise<RunReport> {
  const startedAt = new Date();
  const t0 = performance.now();
  const hosts = await runOnHosts(i.options, async (session, ui) => {
    const ctx = createTaskContext({
      session,
      hosts: i.allHosts,
      params: i.params,
      dryRun: i.dryRun,
      ...(i.projectDir !== undefined ? { projectDir: i.projectDir } : {}),
      ...(i.taskFile !== undefined ? { taskFile: i.taskFile } : {}),
      setTitle: ui.title,
      line: ui.line,
      behind: ui.behind,
      log: (m) => {
        session.log.line(m);
        ui.log(m);
      },
    });
    try {
      return await i.task.run(ctx as never);
    } catch (err) {
      throw i.taskFile ? atTaskLine(err, i.taskFile) : err;
    }
  });
  return {
    runId: i.runId,
    command: i.command,
    dryRun: i.dryRun,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - t0),
    hosts,
  };
}
