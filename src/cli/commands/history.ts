import { Command as Program, InvalidArgumentError } from 'commander';
import type { GlobalOptions } from '../global-options.js';
import { makeRunEnv } from '../run-env.js';
import { finishRun } from '../report-output.js';
import { readHistory } from '../../lifecycle/releases.js';
import { formatHistory, mergeHistory } from '../../ops/release/history-table.js';
import { deployContext, workingDefinition } from '../bundle-context.js';
import { commandLine } from './shared.js';

const count = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`-n expects a positive whole number, got "${v}"`);
  return n;
};

/** `ferry history <bundle> [-n N]`: every recorded deploy, rollback and restart of the selected hosts. */
export function historyCommand(setExit: (code: number) => void): Program {
  return new Program('history')
    .description('every recorded deploy, rollback and restart per host: who, when, from → to, result, duration')
    .argument('<bundle>', 'bundle name')
    .option('-n, --last <count>', 'only the newest this many entries', count)
    .action(async (name: string, o: { last?: number }, self: Program) => {
      const all = self.optsWithGlobals<GlobalOptions>();
      const env = makeRunEnv(all);
      const def = await workingDefinition(env.projectDir, name);
      const hosts = await env.select({ roles: def.roles });
      const ctx = deployContext(env, def, undefined, {});
      const run = await env.runOptions(hosts);
      const { report, rows } = await readHistory({ ctx, run, command: commandLine(), last: o.last });
      if (all.json !== true) process.stdout.write(formatHistory(mergeHistory(rows, o.last), rows));
      setExit(await finishRun(report, { ...all, verbose: false }, env.logDir));
    });
}
