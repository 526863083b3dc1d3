import { randomUUID } from 'node:crypto';
import { defineTask, z } from '../src/index.js';
import { PlanRefusedError } from '../src/errors/index.js';
import { storageFacts } from '../src/facts/storage/index.js';
import {
  planEbsStripe, stripeProbeInput, storageReport, stepAsRoot, factAsRoot, needsSudo, type Refusal,
} from '../src/ops/storage/index.js';

const refusalLine = (r: Refusal): string => `${r.subject}: ${r.reason}${r.forceable ? ' (pass --force to wipe it)' : ''}`;

export default defineTask({
  name: 'prep-ebs-stripe',
  description: 'Stripe block devices into RAID0 (mdadm) + LVM + XFS, mounted by UUID; idempotent, planned from facts',
  params: z.object({
    devices: z.array(z.string()).min(1),
    size: z.string().optional(),
    mount: z.string(),
    chunk: z.number().int().default(256),
    readahead: z.number().int().default(65536),
    vg: z.string().default('vgm0'),
    lv: z.string().default('lvm0'),
    md: z.string().default('/dev/md0'),
    mountOptions: z.string().default('noatime,nofail'),
    force: z.boolean().default(false),
  }),
  async run(ctx) {
    const sudo = needsSudo(ctx.host.user);
    const facts = await ctx.fact(factAsRoot(storageFacts(stripeProbeInput(ctx.params)), sudo));
    // identities for whatever this run creates; ignored for what already exists
    const plan = planEbsStripe(ctx.params, facts, { arrayUuid: randomUUID(), fsUuid: randomUUID() });
    if (plan.refusals.length > 0) throw new PlanRefusedError(ctx.host.name, plan.refusals.map(refusalLine));
    for (const u of plan.unchanged) ctx.log(`unchanged: ${u}`);
    for (const n of plan.notes) ctx.log(`note: ${n}`);
    const outcomes = await ctx.apply(plan.steps.map((s) => stepAsRoot(s, sudo)));
    const report = storageReport(plan, outcomes);
    ctx.log(ctx.dryRun ? `${report.planned} step(s) planned` : `${report.changes} change(s)`);
    return report;
  },
});
