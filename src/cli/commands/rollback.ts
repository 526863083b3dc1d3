import { Command as Program } from 'commander';
import type { GlobalOptions } from '../global-options.js';
import { makeRunEnv } from '../run-env.js';
import { finishRun } from '../report-output.js';
import { rollback } from '../../lifecycle/rollback.js';
import { isBundleId } from '../../bundle/bundle-id.js';
import { UsageError } from '../../errors/usage-error.js';
import { deployContext, workingDefinition, type LockFlags } from '../bundle-context.js';
import { addRollingOptions, rollingSetup, type RollingFlags } from '../rolling-options.js';
import { commandLine, lockOptions, withSetup } from './shared.js';
import { projectNotifier } from '../../notify/project-notifier.js';

/**
 * `ferry rollback <bundle> [--to id | --per-host]`: back to an earlier release, through the same
 * activation, with that release's own recorded definition. The working tree's bundle.ts only says
 * where to look: its roles select the hosts (unless --hosts/--roles) and its deployPath is the store.
 */
export function rollbackCommand(setExit: (code: number) => void): Program {
  return addRollingOptions(
    lockOptions(
      new Program('rollback')
        .description(
          'switch every host back to the release live before the last deploy (or --to one), with its own definition',
        )
        .argument('<bundle>', 'bundle name')
        .option('--to <bundle-id>', 'a release that is still on every host')
        .option('--per-host', 'when hosts disagree on the release to go back to, send each to its own'),
    ),
    'switch back',
  ).action(async (name: string, o: LockFlags & RollingFlags & { to?: string; perHost?: boolean }, self: Program) => {
    const all = self.optsWithGlobals<GlobalOptions>();
    if (o.to && !isBundleId(o.to))
      throw new UsageError(`--to: "${o.to}" is not a bundle id (see ferry releases ${name})`);
    if (o.to && o.perHost) throw new UsageError('--to and --per-host exclude each other (--to names one release)');
    const env = makeRunEnv(all);
    try {
      const def = await workingDefinition(env.projectDir, name);
      const hosts = await env.select({ roles: def.roles });
      // the handshakes run while the rollout is set up (the LB's session, the notifier)
      await env.preconnect(hosts);
      const ctx = { ...deployContext(env, def, undefined, o), allHosts: (await env.inventory()).hosts };
      const setup = await rollingSetup(env, def, o);
      const run = await env.runOptions(hosts);
      const notify = await projectNotifier(env.projectDir, ctx.dryRun);
      const report = await withSetup(setup, () =>
        rollback({
          ctx,
          hosts,
          run,
          command: commandLine(),
          notify,
          to: o.to,
          perHost: o.perHost,
          rolling: setup,
        }),
      );
      setExit(await finishRun(report, all, env.logDir));
    } finally {
      await env.close();
    }
  });
}
