import { defineTask, z } from '../src/index.js';
import {
  PlanRefusedError,
  swapfileFacts,
  planSwapfile,
  storageReport,
  stepAsRoot,
  factAsRoot,
  needsSudo,
} from '../src/storage.js';

export default defineTask({
  name: 'prep-swapfile',
  description: 'Create a swap file once, with one fstab line, and swapon it; idempotent',
  params: z.object({
    size: z.string(),
    path: z.string().default('/swapfile'),
    force: z.boolean().default(false),
  }),
  async run(ctx) {
    const sudo = needsSudo(ctx.host.user);
    const facts = await ctx.fact(factAsRoot(swapfileFacts(ctx.params.path), sudo));
    const plan = planSwapfile(ctx.params, facts);
    if (plan.refusals.length > 0) {
      throw new PlanRefusedError(
        ctx.host.name,
        plan.refusals.map((r) => `${r.subject}: ${r.reason}${r.forceable ? ' (pass --force to replace it)' : ''}`),
      );
    }
    const outcomes = await ctx.apply(plan.steps.map((s) => stepAsRoot(s, sudo)));
    const report = storageReport([plan], outcomes);
    for (const u of report.unchanged) ctx.log(`unchanged: ${u}`);
    ctx.log(ctx.dryRun ? `${report.planned} step(s) planned` : `${report.changes} change(s)`);
    return report;
  },
});
