import type { Command as Program } from 'commander';
import { bundleCommand } from './bundle-command.js';
import { deployCommands } from './deploy-commands.js';
import { checkCommand } from './check-command.js';
import type { GlobalOptions } from './global-options.js';
import { makeRunEnv } from './run-env.js';

/** Built-in commands beyond `run`: bundle, deploy, rollback, releases, unlock (and restart, from rolling). */
export function extraCommands(setExit: (code: number) => void, globals: () => GlobalOptions): Program[] {
  const bundle = bundleCommand(async () => {
    const env = makeRunEnv(globals());
    let hosts: Awaited<ReturnType<typeof env.inventory>>['hosts'] = [];
    try {
      hosts = (await env.inventory()).hosts;
    } catch (err) {
      if (!/no inventory at/.test((err as Error).message)) throw err;
    }
    return { dir: env.projectDir, hosts };
  });
  return [bundle, ...deployCommands(setExit), checkCommand(setExit)];
}
