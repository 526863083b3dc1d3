import { Command as Program } from 'commander';
import type { GlobalOptions } from '../global-options.js';
import { makeRunEnv } from '../run-env.js';
import { finishRun } from '../report-output.js';
import { listReleases } from '../../lifecycle/releases.js';
import { formatReleases } from '../../ops/release/list.js';
import { deployContext, workingDefinition } from '../bundle-context.js';
import { commandLine } from './shared.js';

/** `ferry releases <bundle>`: per host current, previous, staged; flags hosts that disagree. */
export function releasesCommand(setExit: (code: number) => void): Program {
  return new Program('releases')
    .description('per host: current, previous and staged releases with dates; flags hosts that disagree')
    .argument('<bundle>', 'bundle name')
    .action(async (name: string, _o: unknown, self: Program) => {
      const all = self.optsWithGlobals<GlobalOptions>();
      const env = makeRunEnv(all);
      const def = await workingDefinition(env.projectDir, name);
      const hosts = await env.select({ roles: def.roles });
      const ctx = deployContext(env, def, undefined, {});
      const { report, rows } = await listReleases({ ctx, run: await env.runOptions(hosts), command: commandLine() });
      if (all.json !== true) process.stdout.write(formatReleases(rows));
      setExit(await finishRun(report, { ...all, verbose: false }, env.logDir));
    });
}
