import { Command as Program } from 'commander';
import type { GlobalOptions } from '../global-options.js';
import { makeRunEnv } from '../run-env.js';
import { deploy } from '../../lifecycle/deploy.js';
import { finishRun } from '../report-output.js';
import { deployContext, preconnectBundleHosts, type LockFlags } from '../bundle-context.js';
import { addRollingOptions, rollingSetup, type RollingFlags } from '../rolling-options.js';
import { commandLine, lockOptions, withSetup } from './shared.js';
import { projectNotifier } from '../../notify/project-notifier.js';
import { addRevisionOptions, revision, type RevisionFlags } from '../revision-options.js';
import { addRelayOptions, withRelay, type RelayFlags } from '../relay-options.js';
import { addSplitOptions, splitPhase, stageRecordsOf, withStageRecord, type SplitFlags } from '../split-options.js';

type DeployFlags = LockFlags & RollingFlags & RevisionFlags & SplitFlags & RelayFlags;
import { hostEnvFiles } from '../../secrets/host-env-files.js';

/** `ferry deploy <bundle> --tag T`: build, stage everywhere, then activate (at once or batch by batch). */
export function deployCommand(setExit: (code: number) => void): Program {
  return addRollingOptions(
    lockOptions(
      addSplitOptions(
        addRelayOptions(
          addRevisionOptions(
            new Program('deploy')
              .description('build the bundle at a revision tag, stage it on every host, then switch atomically')
              .argument('<bundle>', 'bundle name (bundles/<name>/)'),
          ),
        ),
      ),
    ),
    'activate',
  ).action(async (name: string, o: DeployFlags, self: Program) => {
    const all = self.optsWithGlobals<GlobalOptions>();
    const rev = revision(o); // before any connection
    const env = makeRunEnv(all);
    try {
      const records = await stageRecordsOf(o);
      await preconnectBundleHosts(env, name);
      const { buildBundle } = await import('../../bundle/build.js'); // loads while the handshakes run
      const bundle = await buildBundle({
        projectDir: env.projectDir,
        name,
        ...rev,
        onProgress: (m) => process.stderr.write(`build: ${m}\n`),
      });
      const def = bundle.manifest.definition;
      const hosts = await env.select({ roles: def.roles });
      const envFiles = await hostEnvFiles(def, hosts, {
        projectDir: env.projectDir,
        stage: all.stage,
        env: process.env,
      });
      const base = { ...deployContext(env, def, bundle, o), allHosts: (await env.inventory()).hosts, envFiles };
      const ctx = withRelay(base, o);
      const split = await splitPhase(env, o, records, { id: bundle.id, roles: def.roles, mine: hosts });
      const setup = await rollingSetup(env, def, o);
      const run = await env.runOptions(hosts);
      const input = {
        ctx,
        hosts,
        run,
        command: commandLine(),
        notify: await projectNotifier(env.projectDir, ctx.dryRun),
        rolling: setup,
        split,
      };
      const report = withStageRecord(await withSetup(setup, () => deploy(input)), split, { ...bundle, name });
      setExit(await finishRun(report, all, env.logDir));
    } finally {
      await env.close();
    }
  });
}
