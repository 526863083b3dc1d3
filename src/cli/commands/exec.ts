import { Command as Program } from 'commander';
import type { BundleDefinition } from '../../bundle/definition.js';
import { envFilePath } from '../../bundle/env-file.js';
import { hasRole } from '../../bundle/has-role.js';
import type { Host } from '../../inventory/types.js';
import { UsageError } from '../../errors/usage-error.js';
import { releaseExecCommand } from '../../ops/exec.js';
import { releasePaths } from '../../ops/release/paths.js';
import { openSession } from '../../runner/run-hosts.js';
import { workingDefinition } from '../bundle-context.js';
import type { GlobalOptions } from '../global-options.js';
import { makeRunEnv } from '../run-env.js';
import { primaryHost } from './operate.js';
import { runAdHocTask } from '../ad-hoc-task.js';

/**
 * The live release's env file on `host`, when the bundle has one for its roles (envFile.roles):
 * `current/<path>` follows the release's `config` link to the host's own rendered file.
 */
export function releaseEnvFile(def: BundleDefinition, host: Host, current: string): string | undefined {
  if (!def.envFile || !hasRole(host, def.envFile.roles ?? def.roles)) return undefined;
  return envFilePath(def, current);
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
      const commandFor = (host: Host) =>
        releaseExecCommand({
          current,
          env: def.env.kind,
          envFile: releaseEnvFile(def, host, current),
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
          setExit(await session.interactive(commandFor(host), { tty: true, title: `exec ${name}` }));
        } finally {
          await session.close();
        }
        return;
      }
      const code = await runAdHocTask(env, all, hosts, {
        name: 'exec',
        description: `${name}: ${words.join(' ')}`,
        async run(ctx) {
          return (await ctx.run(commandFor(ctx.host), { tailOnly: true })).stdout;
        },
      });
      setExit(code);
    });
}
