import { Command as Program } from 'commander';
import type { GlobalOptions } from '../global-options.js';
import { makeRunEnv } from '../run-env.js';
import { finishRun } from '../report-output.js';
import { restart } from '../../lifecycle/restart.js';
import { hasRole } from '../../bundle/has-role.js';
import { UsageError } from '../../errors/usage-error.js';
import { deployContext, workingDefinition, type LockFlags } from '../bundle-context.js';
import { addRollingOptions, rollingSetup, type RollingFlags } from '../rolling-options.js';
import { commandLine, lockOptions, withSetup } from './shared.js';
import { projectNotifier } from '../../notify/project-notifier.js';

/** `ferry restart <bundle>`: rolling restart of the program behind HAProxy. */
export function restartCommand(setExit: (code: number) => void): Program {
  return addRollingOptions(
    lockOptions(
      new Program('restart')
        .description("rolling restart of the bundle's program behind HAProxy: drain, restart, health gate, ready")
        .argument('<bundle>', 'bundle name'),
    ),
    'restart',
  ).action(async (name: string, o: LockFlags & RollingFlags, self: Program) => {
    const all = self.optsWithGlobals<GlobalOptions>();
    const env = makeRunEnv(all);
    try {
      const def = await workingDefinition(env.projectDir, name);
      const programRoles = [...new Set(def.configs.filter((c) => c.validate === 'supervisor').flatMap((c) => c.roles))];
      const hosts = (await env.select({ roles: programRoles.length ? programRoles : def.roles })).filter(
        (h) => !programRoles.length || hasRole(h, programRoles),
      );
      if (hosts.length === 0)
        throw new UsageError(`none of the selected hosts runs ${def.program} (roles ${programRoles.join(', ')})`);
      // the handshakes run while the rollout is set up (the LB's session, the notifier)
      await env.preconnect(hosts);
      const ctx = { ...deployContext(env, def, undefined, o), allHosts: (await env.inventory()).hosts };
      const setup = await rollingSetup(env, def, o, { kind: 'count', value: 1 });
      const run = await env.runOptions(hosts);
      const notify = await projectNotifier(env.projectDir, ctx.dryRun);
      const report = await withSetup(setup, () =>
        restart({
          ctx,
          hosts,
          run,
          command: commandLine(),
          notify,
          rolling: setup,
        }),
      );
      setExit(await finishRun(report, all, env.logDir));
    } finally {
      await env.close();
    }
  });
}
