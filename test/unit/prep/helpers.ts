import { and, cmd } from '../../../src/shell/command.js';
import type { Step } from '../../../src/ops/step.js';
import type { PrepOp } from '../../../src/ops/prep/op.js';
import { planPrep, prepProbe, toOps, type PrepPlan } from '../../../src/ops/prep/plan.js';
import { localSh } from '../../helpers/local-sh.js';

/** Probe these ops with the real local sh and plan them (what ctx.apply does, without a host). */
export async function planLocal(items: readonly (Step | PrepOp)[]): Promise<PrepPlan> {
  const ops = toOps(items);
  const probe = prepProbe(ops);
  const out = probe ? await localSh(probe) : { code: 0, stdout: '', stderr: '' };
  if (out.code !== 0) throw new Error(`probe failed: ${out.stderr}`);
  return planPrep(ops, out.stdout);
}

/** Plan, run every planned step with the local sh, and return the plan that ran. */
export async function applyLocal(items: readonly (Step | PrepOp)[]): Promise<PrepPlan> {
  const plan = await planLocal(items);
  if (plan.refusals.length > 0) throw new Error(`refused: ${JSON.stringify(plan.refusals)}`);
  for (const s of plan.steps) {
    const r = await localSh(s.command, s.stdin ?? '');
    if (r.code !== 0) throw new Error(`${s.id} failed (${r.code}): ${r.stderr}`);
  }
  return plan;
}

export const ids = (plan: PrepPlan): string[] => plan.steps.map((s) => s.id);

/** A command that always succeeds, as a raw step in an apply list. */
export const noop = (id: string): Step => ({ id, title: id, command: and(cmd('true')) });
