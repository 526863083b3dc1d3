import { Command as Program } from 'commander';
import type { BundleDefinition } from '../../bundle/definition.js';
import { UsageError } from '../../errors/usage-error.js';
import { releaseExecCommand } from '../../ops/exec.js';
import { releasePaths } from '../../ops/release/paths.js';
import { openSession } from '../../runner/run-hosts.js';
import { runTask } from '../../runner/run-task.js';
import { defineTask } from '../../task/define-task.js';
import { workingDefinition } from '../bundle-context.js';
import { commandLine } from '../command-word.js';
import type { GlobalOptions } from '../global-options.js';
import { catchInterrupt } from '../interrupt.js';
import { finishRun } from '../report-output.js';
import { makeRunEnv } from '../run-env.js';
import { primaryHost } from './operate.js';

/**
 * The release's env file on the host, when the bundle names one: the one place that knows it.
 * Bundles are getting an `envFile` (relative to the release, or absolute); until then none.
 */
export function releaseEnvFile(def: BundleDefinition, current: string): string | undefined {
  const f = (def as BundleDefinition & { envFile?: string }).envFile;
  if (f === undefined) return undefined;
  return f.startsWith('/') ? f : `${current}/${f}`;
}

interface ExecOptions {
  primary?: boolean;
  interactive?: boolean;
}

/** `ferry exec BUNDLE [--primary] [-i] -- cmd…`: a command in the live release, with its env, on its hosts. */
export function execCommand(setExit: (code: number) => void): Program {
  return new Program('exec')
    .description("run a command in the bundle's live release (current/, its env on PATH, its env file loaded)")
    .argument('<bundle>', 'bundle name')
    .argument('<words...>', 'the command; put it after `--`')
    .option('--primary', 'only on the primary host (inventory `primary: true`, else the first selected)')
    .option('-t, --interactive', 'attach the terminal (a PTY) to it, like ssh -t: one host (with --primary or --hosts)')
    .action(async (name: string, words: string[], opts: ExecOptions, self: Program) => {
      const all = self.optsWithGlobals<GlobalOptions>();
      const env = makeRunEnv(all);
      const def = await workingDefinition(env.projectDir, name);
      const selected = await env.select({ roles: def.roles });
      const primary = primaryHost(selected);
      const hosts = opts.primary && primary ? [primary] : selected;
      const current = releasePaths(def.deployPath).current;
      const command = releaseExecCommand({
        current,
        env: def.env.kind,
        envFile: releaseEnvFile(def, current),
        script: words.join(' '),
      });
      if (opts.interactive) {
        const [host, ...more] = hosts;
        if (!host || more.length > 0) {
          const names = hosts.map((h) => h.name).join(', ');
          throw new UsageError(
            `ferry exec --interactive runs on one host; ${hosts.length} selected (${names}): add --primary or --hosts NAME`,
          );
        }
        const session = openSession(host, { targets: await env.targets([host]), logDir: env.logDir });
        try {
          setExit(await session.interactive(command, { tty: true, title: `exec ${name}` }));
        } finally {
          await session.close();
        }
        return;
      }
      if (!all.dryRun) await env.preconnect(hosts);
      const interrupt = catchInterrupt();
      try {
        const task = defineTask({
          name: 'exec',
          description: `${name}: ${words.join(' ')}`,
          async run(ctx) {
            return (await ctx.run(command, { tailOnly: true })).stdout;
          },
        });
        const report = await runTask({
          task,
          params: {},
          hosts,
          allHosts: (await env.inventory()).hosts,
          dryRun: Boolean(all.dryRun),
          runId: env.runId,
          command: commandLine(),
          options: { ...(await env.runOptions(hosts)), signal: interrupt.signal },
        });
        setExit(await finishRun(report, all, env.logDir));
      } finally {
        interrupt.dispose();
        await env.close();
      }
    });
}
