import { Command as Program } from 'commander';
import { sh } from '../shell/command.js';
import { UsageError } from '../errors/usage-error.js';
import type { GlobalOptions } from './global-options.js';
import { makeRunEnv } from './run-env.js';
import { runAdHocTask } from './ad-hoc-task.js';

/** `ferry run -- WORDS…`: like `ssh host WORDS…` — joined with spaces, run by the remote shell. */
export function runCommand(setExit: (code: number) => void): Program {
  return new Program('run')
    .description('run an ad-hoc shell command on every selected host (like `ssh host WORDS…`)')
    .argument('<words...>', 'the command; put it after `--`')
    .option('--sudo', 'run it through sudo')
    .action(async (words: string[], opts: { sudo?: boolean }, self: Program) => {
      const all = self.optsWithGlobals<GlobalOptions>();
      if (words.length === 0) throw new UsageError('ferry run: nothing to run (ferry run --roles app -- uname -a)');
      const script = words.join(' ');
      const env = makeRunEnv(all);
      const hosts = await env.select();
      const code = await runAdHocTask(env, all, hosts, {
        name: 'run',
        description: script,
        async run(ctx) {
          const c = sh(script);
          // its output streams to the terminal and the log as it comes (ctx.run's default): in
          // memory only its tail, for the report (a `cat` of a big log must not fill ferry's)
          const res = opts.sudo ? await ctx.sudo(c, { tailOnly: true }) : await ctx.run(c, { tailOnly: true });
          return res.stdout;
        },
      });
      setExit(code);
    });
}
