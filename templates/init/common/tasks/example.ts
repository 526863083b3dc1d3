// A ferry task: `ferry example --path /var/log` runs it on every host of its default selection.
// `ferry --list` shows it with its params; `ferry check` type-checks it against ferry's types.
// Next edit: rename it (file and `name`), change what `run` does, or add tasks/*.ts beside it.
import { defineTask, z } from 'ferry';

export default defineTask({
  name: 'example',
  description: 'Show how full a folder is on each host (tasks/example.ts: edit me)',
  // each param becomes a flag (--path); zod validates and types it before run() gets it
  params: z.object({
    path: z.string().describe('the folder to look at').default('/srv'),
  }),
  // the hosts it runs on when neither --hosts nor --roles is given
  defaultSelection: { roles: ['app'] },
  async run(ctx) {
    // argv arrays are quoted word by word: a param reaches the host literally
    const { stdout } = await ctx.run(['df', '-h', ctx.params.path]);
    ctx.log(stdout.trimEnd());
    return { host: ctx.host.name, df: stdout.trimEnd() };
  },
});
