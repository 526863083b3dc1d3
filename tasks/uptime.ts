import { defineTask } from '../src/index.js';

export default defineTask({
  name: 'uptime',
  description: "Show each host's uptime and load",
  async run(ctx) {
    const { stdout } = await ctx.run(['uptime']); // streams: `[host] 12:00:00 up …`
    return stdout.trim();
  },
});
