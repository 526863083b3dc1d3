import { Command as Program } from 'commander';
import type { GlobalOptions } from '../global-options.js';
import { makeRunEnv } from '../run-env.js';
import { finishRun } from '../report-output.js';
import { unlockHosts } from '../../lifecycle/releases.js';
import { UsageError } from '../../errors/usage-error.js';
import { deployContext, workingDefinition } from '../bundle-context.js';
import { commandLine } from './shared.js';

/** `ferry unlock <bundle> --hosts …`: show the lock owner, then remove the lock. */
export function unlockCommand(setExit: (code: number) => void): Program {
  return new Program('unlock')
    .description('remove a (stale) deploy lock, showing its owner first')
    .argument('<bundle>', 'bundle name')
    .action(async (name: string, _o: unknown, self: Program) => {
      const all = self.optsWithGlobals<GlobalOptions>();
      if (!all.hosts?.length && !all.roles?.length)
        throw new UsageError('ferry unlock: name the hosts (--hosts or --roles): locks are removed only where you say');
      const env = makeRunEnv(all);
      const def = await workingDefinition(env.projectDir, name);
      const hosts = await env.select();
      const ctx = deployContext(env, def, undefined, {});
      const report = await unlockHosts({ ctx, run: await env.runOptions(hosts), command: commandLine() });
      setExit(await finishRun(report, all, env.logDir));
    });
}
