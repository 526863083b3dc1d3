import type { Command as Program } from 'commander';
import type { GlobalOptions } from './global-options.js';
import { makeRunEnv } from './run-env.js';
import { DEPLOY_COMMANDS, OPERATE_COMMANDS } from './builtin-commands.js';

/**
 * Built-in commands beyond `run`: bundle, deploy, rollback, releases, unlock, restart, check.
 * Their modules (bundle builder, templates, tar, rollout) load only when one of them runs, or for --help.
 */
export async function extraCommands(
  word: string | undefined,
  setExit: (code: number) => void,
  globals: () => GlobalOptions,
): Promise<Program[]> {
  const all = word === undefined || word === 'help';
  const out: Program[] = [];
  if (all || word === 'bundle') {
    const { bundleCommand } = await import('./bundle-command.js');
    out.push(
      bundleCommand(async () => {
        const env = makeRunEnv(globals());
        let hosts: Awaited<ReturnType<typeof env.inventory>>['hosts'] = [];
        try {
          hosts = (await env.inventory()).hosts;
        } catch (err) {
          if (!/no inventory at/.test((err as Error).message)) throw err;
        }
        return { dir: env.projectDir, hosts };
      }),
    );
  }
  if (all || (word !== undefined && DEPLOY_COMMANDS.includes(word))) {
    const { deployCommands } = await import('./deploy-commands.js');
    out.push(...deployCommands(setExit));
  }
  if (all || (word !== undefined && OPERATE_COMMANDS.includes(word))) {
    const { operateCommands } = await import('./operate-commands.js');
    out.push(...operateCommands(setExit));
  }
  if (all || word === 'check') {
    const { checkCommand } = await import('./check-command.js');
    out.push(checkCommand(setExit));
  }
  if (all || word === 'init') {
    const { initCommand } = await import('./init-command.js');
    out.push(initCommand(setExit));
  }
  return out;
}
