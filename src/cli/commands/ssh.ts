import { Command as Program } from 'commander';
import { sh } from '../../shell/command.js';
import { openSession } from '../../runner/run-hosts.js';
import type { GlobalOptions } from '../global-options.js';
import { makeRunEnv } from '../run-env.js';
import { unknownHost } from './operate.js';

/** `ferry ssh HOST [-- command…]`: an interactive shell, over the same connection settings as every ferry step. */
export function sshCommand(setExit: (code: number) => void): Program {
  return new Program('ssh')
    .description(
      "an interactive shell on one host, with ferry's keys, known_hosts and jump host; exits with the shell's code",
    )
    .argument('<host>', 'inventory host name')
    .argument('[command...]', 'run this instead of the login shell (after `--`; with a terminal when ferry has one)')
    .action(async (name: string, words: string[], _o: unknown, self: Program) => {
      const all = self.optsWithGlobals<GlobalOptions>();
      const env = makeRunEnv(all);
      const inventory = await env.inventory();
      const host = inventory.hosts.find((h) => h.name === name);
      if (!host) throw unknownHost(name, inventory.hosts, inventory.file);
      const session = openSession(host, { targets: await env.targets([host]), logDir: env.logDir });
      try {
        setExit(await session.interactive(words.length > 0 ? sh(words.join(' ')) : undefined));
      } finally {
        await session.close();
      }
    });
}
