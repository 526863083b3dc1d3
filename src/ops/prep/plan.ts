import { sh, type Command } from '../../shell/command.js';
import { quote } from '../../shell/quote.js';
import { splitSections } from '../../facts/storage/sections.js';
import { parsePathBatch, pathBatchScript } from './batch.js';
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
 * One script section, as facts/storage's `section` but grouped with `{ }` instead of a subshell,
 * and the whole probe one script (no subshell per part): a no-op run probes dozens of sections
 * on every host, and each fork counts. A failing script leaves the section empty (`|| true`
 * binds to it alone: `a && b || true && c` runs c either way); op scripts set every variable
 * they read.
 */
function prepSection(name: string, script: string): string {
  return `echo && echo ${quote(`@@ferry:${name}@@`)} && { ${script} ; } 2>/dev/null || true`;
}

/** The distinct paths the ops stat (in first-seen order). */
export function probedPaths(ops: readonly PrepOp[]): string[] {
  return [...new Set(ops.flatMap((op) => op.probes.flatMap((p) => ('path' in p ? [p.path] : []))))];
}

/** Every op's probe sections in one command: one round trip for the whole apply. */
export function prepProbe(ops: readonly PrepOp[]): Command | undefined {
  const paths = probedPaths(ops);
  const words = [...new Set(ops.flatMap((op) => op.probes.flatMap((p) => ('word' in p ? [p.word] : []))))];
  const scripts = (early: boolean) =>
    ops.flatMap((op, i) =>
      op.probes.flatMap((p) =>
        'script' in p && (p.early ?? false) === early ? [prepSection(`${i}.${p.name}`, p.script)] : [],
      ),
    );
  const batch = paths.length + words.length > 0 ? [pathBatchScript(paths, words)] : [];
  const parts = [...scripts(true), ...batch, ...scripts(false)];
  if (parts.length === 0) return undefined;
  parts.push(`echo && echo '@@ferry:end@@'`);
  // sbin on PATH: a non-root login often lacks it (sysctl, getent live there on some systems)
  return sh(`export LC_ALL=C PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin" && ${parts.join(' && ')}`);
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
  const scriptSections = (i: number) => (name: string) => all.get(`${i}.${name}`) || undefined;
  // the host-named paths, resolved from the sections that named them
  const resolved = ops.map((op, i) => op.probes.map((p) => ('word' in p ? p.resolve(scriptSections(i)) : undefined)));
  const dynamic = resolved.flat().filter((p): p is string => p !== undefined);
  const paths = parsePathBatch(all, [...new Set([...probedPaths(ops), ...dynamic])]);
  let changesBefore = false;
  const planned = ops.map((op, i): PlannedOp => {
    const facts = op.parse((name) => {
      const at = op.probes.findIndex((x) => x.name === name);
      const p = op.probes[at];
      let text: string | undefined;
      if (p && 'word' in p) {
        const path = resolved[i]?.[at];
        const f = path === undefined ? undefined : paths.get(path);
        text = p.content ? f?.text : f?.text.split('\n')[0];
      } else if (p && 'path' in p) {
        const f = paths.get(p.path);
        // a stat-only section shows the stat line alone, as its own section would have
        text = p.link ? f?.target : p.content ? f?.text : f?.text.split('\n')[0];
      } else text = all.get(`${i}.${name}`);
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
export function refusalLines(plan: PrepPlan, task?: TaskFile, text?: string): string[] {
  return plan.ops.flatMap(({ op, plan: p }) => {
    const at = task ? positionIn(op.site?.stack, task, text) : undefined;
    return p.refusals.map((r) => `${at ? `${formatPosition(at)}: ` : ''}${op.id}: ${r.subject}: ${r.reason}`);
  });
}
