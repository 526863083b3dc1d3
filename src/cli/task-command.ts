import { resolve } from 'node:path';
import { Command as Program } from 'commander';
import type { LoadedTask } from '../project/load-tasks.js';
import { runTask } from '../runner/run-task.js';
import type { GlobalOptions } from './global-options.js';
import { addParamOptions, paramSpecs, parseParams } from './param-options.js';
import { makeRunEnv } from './run-env.js';
import { finishRun } from './report-output.js';
import { commandLine } from './command-word.js';
import { catchInterrupt } from './interrupt.js';

/** `ferry <task> [params]`: one subcommand per tasks/*.ts. */
export function taskCommand(t: LoadedTask, setExit: (code: number) => void): Program {
  const specs = paramSpecs(t.definition.params);
  const c = new Program(t.definition.name).description(`${t.definition.description}  [${t.file}]`);
  addParamOptions(c, specs);
  c.action(async (_opts: Record<string, unknown>, self: Program) => {
    const all = self.optsWithGlobals<GlobalOptions & Record<string, unknown>>();
    const params = parseParams(t.definition.params, specs, self.opts());
    const env = makeRunEnv(all);
    const hosts = await env.select(t.definition.defaultSelection);
    const interrupt = catchInterrupt();
    const report = await runTask({
      task: t.definition,
      params,
      hosts,
      allHosts: (await env.inventory()).hosts,
      dryRun: Boolean(all.dryRun),
      runId: env.runId,
      projectDir: env.projectDir,
      taskFile: { path: resolve(t.file), shown: t.file },
      command: commandLine(),
      options: {
        ...(await env.runOptions(hosts)),
        ...(all.dryRun ? { sudoPassword: undefined } : {}),
        signal: interrupt.signal,
      },
    }).finally(() => interrupt.dispose());
    setExit(await finishRun(report, all, env.logDir));
  });
  return c;
}
