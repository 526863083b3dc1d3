import { randomUUID } from 'node:crypto';
import { defineTask, z, type StepOutcome, type TaskContext } from '../src/index.js';
import {
  FailedError,
  PlanRefusedError,
  storageFacts,
  planEbsStripe,
  stripeProbeInput,
  storageReport,
  stepAsRoot,
  factAsRoot,
  needsSudo,
  type EbsStripeParams,
  type Refusal,
  type StoragePlan,
  type StorageReport,
} from '../src/storage.js';

const refusalLine = (r: Refusal): string =>
  `${r.subject}: ${r.reason}${r.forceable ? ' (pass --force to wipe it)' : ''}`;

/**
 * One stripe, planned from facts and applied (prep-db-host runs it once per volume): usually one
 * phase; assembling an array or activating an LV reveals facts the rest depends on.
 */
export async function applyStripe(ctx: TaskContext<unknown>, params: EbsStripeParams): Promise<StorageReport> {
  const sudo = needsSudo(ctx.host.user);
  const probe = factAsRoot(storageFacts(stripeProbeInput(params)), sudo);
  // identities for whatever this run creates; ignored for what already exists
  const ids = { arrayUuid: randomUUID(), fsUuid: randomUUID() };
  const outcomes: StepOutcome[] = [];
  const plans: StoragePlan[] = [];
  for (let phase = 1; ; phase++) {
    const plan = planEbsStripe(params, await ctx.fact(probe), ids);
    if (plan.refusals.length > 0) throw new PlanRefusedError(ctx.host.name, plan.refusals.map(refusalLine));
    plans.push(plan);
    for (const s of plan.steps) ctx.log(`${ctx.dryRun ? 'plan' : 'run'}: ${s.title}`);
    outcomes.push(...(await ctx.apply(plan.steps.map((s) => stepAsRoot(s, sudo)))));
    if (!plan.again || ctx.dryRun) break;
    if (phase === 3) throw new FailedError(`phase ${phase} still needs another phase; giving up`, ctx.host.name);
  }
  const report = storageReport(plans, outcomes);
  for (const u of report.unchanged) ctx.log(`unchanged: ${u}`);
  for (const n of report.notes) ctx.log(`note: ${n}`);
  return report;
}

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
    const report = await applyStripe(ctx, ctx.params);
    ctx.log(ctx.dryRun ? `${report.planned} step(s) planned` : `${report.changes} change(s)`);
    return report;
  },
});
