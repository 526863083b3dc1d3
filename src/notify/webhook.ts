import { outcome, verb } from './graphite.js';
import type { LifecycleNote } from './types.js';

/** The JSON a webhook receives: the note's fields by name, plus a Slack-compatible `text`. */
export interface WebhookPayload {
  readonly text: string;
  readonly source: 'ferry';
  readonly event: LifecycleNote['event'];
  readonly action: LifecycleNote['action'];
  readonly bundle: string;
  readonly tag: string | null;
  readonly commit: string | null;
  readonly id: string | null;
  readonly runId: string;
  readonly stage: string | null;
  readonly who: string;
  /** ISO time of the event */
  readonly at: string;
  readonly result: 'ok' | 'failed' | null;
  readonly durationMs: number | null;
  readonly hosts: ReadonlyArray<{
    readonly name: string;
    readonly result: string | null;
    readonly error: string | null;
    readonly from: string | null;
    readonly to: string | null;
    readonly durationMs: number | null;
  }>;
}

/** One line for a chat channel: what, where, outcome, who. */
export function slackText(n: LifecycleNote): string {
  const what = `ferry ${n.action} ${n.bundle}${n.tag ? ` ${n.tag}` : ''}${n.id ? ` (${n.id})` : ''}`;
  const where = n.stage ? ` on stage ${n.stage}` : '';
  if (n.event === 'start') return `${what}${where} started by ${n.who} on ${n.hosts.length} host(s)`;
  const failed = n.hosts.filter((h) => h.result !== 'ok' && h.result !== 'skipped');
  const which = failed.length ? `; not ok: ${failed.map((h) => `${h.name} (${h.result})`).join(', ')}` : '';
  return `${what}${where} ${verb(n)}: ${outcome(n)} (by ${n.who}, run ${n.runId})${which}`;
}

/** Field by field from the note (never a spread), so a new field on the run never leaks into it. */
export function webhookPayload(n: LifecycleNote): WebhookPayload {
  return {
    text: slackText(n),
    source: 'ferry',
    event: n.event,
    action: n.action,
    bundle: n.bundle,
    tag: n.tag ?? null,
    commit: n.commit ?? null,
    id: n.id ?? null,
    runId: n.runId,
    stage: n.stage ?? null,
    who: n.who,
    at: new Date(n.at).toISOString(),
    result: n.result ?? null,
    durationMs: n.durationMs ?? null,
    hosts: n.hosts.map((h) => ({
      name: h.name,
      result: h.result ?? null,
      error: h.error ?? null,
      from: h.from ?? null,
      to: h.to ?? null,
      durationMs: h.durationMs === undefined ? null : Math.round(h.durationMs),
    })),
  };
}
