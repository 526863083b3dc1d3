import { Command as Program } from 'commander';
import type { GlobalOptions } from '../global-options.js';
import { makeRunEnv } from '../run-env.js';
import { finishRun } from '../report-output.js';
import { describeOwner, unlockCommand as removeLock } from '../../ops/release/lock.js';
import { releasesFact } from '../../ops/release/list.js';
import { runOnHosts } from '../../runner/run-hosts.js';
import type { RunReport } from '../../runner/report.js';
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
      if (!all.hosts?.length && !all.roles?.length) throw new UsageError('ferry unlock: name the hosts (--hosts or --roles): locks are removed only where you say');
      const env = makeRunEnv(all);
      const def = await workingDefinition(env.projectDir, name);
      const hosts = await env.select();
      const ctx = deployContext(env, def, undefined, {});
      const fact = releasesFact(ctx.paths, 0);
      const report: RunReport = {
        runId: env.runId, command: commandLine(), dryRun: Boolean(all.dryRun), startedAt: new Date().toISOString(), durationMs: 0,
        hosts: await runOnHosts(await env.runOptions(hosts), async (s, ui) => {
          const r = fact.parse((await s.exec(fact.command, { title: 'read lock', id: 'read-lock' })).stdout);
          if (!r.lock) {
            ui.log('no lock held');
            return { removed: false };
          }
          ui.log(`lock held by ${describeOwner(r.lock)}`);
          if (all.dryRun) s.plan('unlock', 'remove lock', removeLock(ctx.paths));
          else await s.exec(removeLock(ctx.paths), { title: 'remove lock', id: 'unlock', status: 'changed' });
          return { removed: !all.dryRun, owner: r.lock };
        }),
      };
      setExit(await finishRun(report, all, env.logDir));
    });
}
