import type { HostReport } from '../runner/report.js';
import type { HostNote, LifecycleNote } from './types.js';
import type { RunEnd, RunStart } from './hook.js';

const bad = (r: HostReport) => r.status === 'failed' || r.status === 'unreachable';

/** The fields every note of a run shares, picked one by one from the context (never spread). */
function common(s: RunStart) {
  const { ctx } = s;
  return {
    action: s.action,
    bundle: ctx.label.name,
    tag: ctx.label.tag,
    commit: ctx.label.commit,
    runId: ctx.runId,
    stage: ctx.stage,
    who: `${ctx.owner.user}@${ctx.owner.host}`,
  };
}

/** The note sent before the first lock: the hosts by name, the release when it is known already. */
export function startNote(s: RunStart, at: number): LifecycleNote {
  return { event: 'start', ...common(s), id: s.ctx.bundle?.id, at, hosts: s.hosts.map((h) => ({ name: h.name })) };
}

/** The note sent after the end: per host result, release from → to, duration; finish when no host failed. */
export function endNote(s: RunStart, e: RunEnd, at: number, durationMs: number): LifecycleNote {
  const reports = new Map((e.report?.hosts ?? []).map((r) => [r.host, r]));
  const hosts: HostNote[] = s.hosts.map((h) => {
    const r = reports.get(h.name);
    const plan = e.plans.get(h.name);
    return {
      name: h.name,
      result: r?.status ?? 'failed',
      error: r?.error ? r.error.kind : r ? undefined : 'aborted',
      from: plan?.from,
      to: plan?.to,
      durationMs: r?.durationMs,
    };
  });
  const failed = !e.report || e.report.hosts.some(bad);
  const targets = new Set(hosts.map((h) => h.to));
  const only = targets.size === 1 ? [...targets][0] : undefined;
  return {
    event: failed ? 'failure' : 'finish',
    ...common(s),
    id: s.ctx.bundle?.id ?? only,
    at,
    hosts,
    result: failed ? 'failed' : 'ok',
    durationMs: Math.round(e.report?.durationMs ?? durationMs),
  };
}
