import type { Command } from '../../shell/command.js';
import { sh } from '../../shell/command.js';
import { quote } from '../../shell/quote.js';
import { probe, splitSections } from '../../facts/storage/sections.js';
import { step, type Step } from '../step.js';
import type { Refusal } from '../storage/refusal.js';
import { isPrepOp, type Handler, type OpPlan, type PrepOp } from './op.js';
import { formatPosition, positionIn, type TaskFile } from './site.js';
import { bad } from './validate.js';

/** A plain Step in an apply list: always runs (it has no facts to be planned from). */
export function stepOp(s: Step): PrepOp<null> {
  return {
    kind: 'prep-op',
    id: s.id,
    probes: [],
    parse: () => null,
    plan: () => ({ steps: [s], unchanged: [], refusals: [] }),
    onChange: [],
  };
}

export function toOps(items: readonly (Step | PrepOp)[]): PrepOp[] {
  const ops = items.map((i) => (isPrepOp(i) ? i : stepOp(i)));
  const seen = new Map<string, string>();
  for (const op of ops) {
    if (op.subject === undefined) continue;
    const other = seen.get(op.subject);
    if (other !== undefined) bad('apply', `${op.id} and ${other} both manage ${op.subject}: merge them into one op`);
    seen.set(op.subject, op.id);
  }
  return ops;
}

/**
 * One section, as facts/storage's `section` but grouped with `{ }` instead of a subshell: a no-op
 * run probes dozens of sections on every host, and each fork counts. A failing script leaves the
 * section empty; op scripts set every variable they read.
 */
function prepSection(name: string, script: string): Command {
  return sh(`echo && echo ${quote(`@@ferry:${name}@@`)} && { ${script} ; } 2>/dev/null || true`);
}

/** Every op's probe sections in one command: one round trip for the whole apply. */
export function prepProbe(ops: readonly PrepOp[]): Command | undefined {
  const sections = ops.flatMap((op, i) => op.probes.map((p) => prepSection(`${i}.${p.name}`, p.script)));
  return sections.length === 0 ? undefined : probe(...sections);
}

export interface PlannedOp {
  readonly op: PrepOp;
  readonly plan: OpPlan;
}

export interface PrepPlan {
  readonly ops: readonly PlannedOp[];
  /** the ops' steps in order, then each triggered handler once */
  readonly steps: readonly Step[];
  readonly refusals: readonly Refusal[];
  readonly unchanged: readonly string[];
  /** the diffs of changed files (sensitive ones left out) */
  readonly diffs: readonly string[];
}

/** Plan every op from the probe's stdout: pure. */
export function planPrep(ops: readonly PrepOp[], stdout: string): PrepPlan {
  const all = splitSections(stdout);
  let changesBefore = false;
  const planned = ops.map((op, i): PlannedOp => {
    const facts = op.parse((name) => {
      const text = all.get(`${i}.${name}`);
      return text === undefined || text === '' ? undefined : text;
    });
    let plan = op.plan(facts);
    if (plan.unlessEarlierChange && !changesBefore)
      plan = { ...plan, steps: [], refusals: [...plan.refusals, plan.unlessEarlierChange] };
    if (plan.steps.length > 0) changesBefore = true;
    return { op, plan };
  });
  const triggered = new Map<string, Handler>();
  for (const { op, plan } of planned)
    if (plan.steps.length > 0) for (const h of op.onChange) if (!triggered.has(h.id)) triggered.set(h.id, h);
  const steps = [
    ...planned.flatMap((p) => p.plan.steps),
    ...[...triggered.values()].map((h) => step(`handler ${h.id}`, h.title, h.command)),
  ];
  return {
    ops: planned,
    steps,
    refusals: planned.flatMap((p) => p.plan.refusals),
    unchanged: planned.flatMap((p) => p.plan.unchanged),
    diffs: planned.flatMap((p) => (p.plan.diff && !p.op.sensitive ? [p.plan.diff] : [])),
  };
}

/** `op: subject: reason` per refusal, led by the task line that built the op when it is known. */
export function refusalLines(plan: PrepPlan, task?: TaskFile): string[] {
  return plan.ops.flatMap(({ op, plan: p }) => {
    const at = task ? positionIn(op.site?.stack, task) : undefined;
    return p.refusals.map((r) => `${at ? `${formatPosition(at)}: ` : ''}${op.id}: ${r.subject}: ${r.reason}`);
  });
}
