import { defineTask, z } from '../src/index.js';

export default defineTask({
  name: 'hello',
  description: 'Print `hello, <name>` on each host (the name reaches the host literally)',
  params: z.object({
    name: z.string().describe('who to greet').default('world'),
    times: z.number().int().min(1).max(10).describe('how many lines').default(1),
    shout: z.boolean().describe('upper-case the greeting').default(false),
  }),
  async run(ctx) {
    const text = `hello, ${ctx.params.shout ? ctx.params.name.toUpperCase() : ctx.params.name}`;
    const lines: string[] = [];
    for (let i = 0; i < ctx.params.times; i++) {
      // its output streams to the terminal as `[host] hello, …`
      const { stdout } = await ctx.run(['printf', '%s\\n', text]);
      lines.push(stdout.trimEnd());
    }
    return { said: lines };
  },
});
