import type { Command } from '../shell/command.js';
import type { Step } from '../ops/step.js';
import type { PrepEnv, PrepOp } from '../ops/prep/op.js';
import { planPrep, prepProbe, refusalLines, toOps } from '../ops/prep/plan.js';
import { PlanRefusedError } from '../errors/plan-refused-error.js';
import type { StepOutcome } from '../task/types.js';
import { taskText } from './task-site.js';

export interface PrepRunner {
  readonly dryRun: boolean;
  /** run the batched probe (also in --dry-run); its stdout */
  probe(command: Command, ops: number): Promise<string>;
  /** run (or in --dry-run record) the planned steps */
  run(steps: readonly Step[]): Promise<StepOutcome[]>;
  log(text: string): void;
  readonly host: string;
}

/**
 * ctx.apply for prep ops: one probe for every op, a pure plan, every refusal before any change,
 * then only the missing steps (and each triggered handler once).
 */
export async function applyPrep(
  items: readonly (Step | PrepOp)[],
  env: PrepEnv,
  r: PrepRunner,
): Promise<StepOutcome[]> {
  const ops = await Promise.all(
    toOps(items).map(async (op) =>
      op.prepare ? { ...(await op.prepare(env)), ...(op.site ? { site: op.site } : {}) } : op,
    ),
  );
  const command = prepProbe(ops);
  const stdout = command ? await r.probe(command, ops.length) : '';
  const plan = planPrep(ops, stdout);
  if (plan.refusals.length > 0)
    throw new PlanRefusedError(r.host, refusalLines(plan, env.taskFile, env.taskFile && taskText(env.taskFile)));
  for (const d of plan.diffs) r.log(d.trimEnd());
  const out = await r.run(plan.steps);
  const unchanged = `${plan.unchanged.length} already as wanted`;
  r.log(
    r.dryRun
      ? `prep: ${plan.steps.length} step(s) planned, ${unchanged}`
      : `prep: ${out.length} change(s), ${unchanged}`,
  );
  return out;
}
