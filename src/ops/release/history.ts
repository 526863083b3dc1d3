import { quote } from '../../shell/quote.js';
import type { ReleasePaths } from './paths.js';

/** One line of .ferry/history.jsonl on a host. */
export interface HistoryEntry {
  readonly at: string;
  readonly action: 'deploy' | 'rollback' | 'restart';
  readonly user: string;
  readonly controlHost: string;
  readonly runId: string;
  readonly bundle: string;
  readonly id?: string | undefined;
  readonly tag?: string | undefined;
  readonly commit?: string | undefined;
  /** `current` when the run took the lock */
  readonly from?: string | undefined;
  /** the release the action was about (a deploy: the one deployed, whether or not it stayed live) */
  readonly to?: string | undefined;
  /**
   * ok: the host runs `to`. rolled-back: it was switched to `to` and back to `from` (its health
   * gate failed, or the activation stopped past --max-fail). staged-only: staged, never switched.
   * failed: the step in `error` failed (`to` not live, unless the error says the switch back failed).
   * unchanged: a no-op redeploy.
   */
  readonly result: 'ok' | 'failed' | 'staged-only' | 'rolled-back' | 'unchanged';
  readonly error?: string | undefined;
}

/** Who ran it and what release it was about: the same for every line of one run. */
export interface HistoryRun {
  readonly user: string;
  readonly controlHost: string;
  readonly runId: string;
  readonly label: { readonly name: string; readonly tag?: string | undefined; readonly commit?: string | undefined };
}

export interface HistoryEvent {
  readonly action: HistoryEntry['action'];
  readonly from: string | undefined;
  readonly to: string | undefined;
  readonly result: HistoryEntry['result'];
  readonly error?: string | undefined;
}

export function buildHistoryEntry(run: HistoryRun, e: HistoryEvent): HistoryEntry {
  const m = run.label;
  return {
    at: new Date().toISOString(),
    action: e.action,
    user: run.user,
    controlHost: run.controlHost,
    runId: run.runId,
    bundle: m.name,
    id: e.to,
    tag: m.tag,
    commit: m.commit,
    from: e.from,
    to: e.to,
    result: e.result,
    ...(e.error ? { error: e.error } : {}),
  };
}

/**
 * Append one line to history.jsonl. Shell builtins only once .ferry exists (a no-op deploy's probe
 * appends it and must cost the host no process but the shell).
 */
export function appendHistoryScript(p: ReleasePaths, line: string): string {
  const state = quote(p.state);
  return `{ [ -d ${state} ] || mkdir -p ${state}; } && printf '%s\\n' ${quote(line)} >> ${quote(p.history)}`;
}

/** Parse history.jsonl lines; a torn line (e.g. disk full) is skipped, never fatal. */
export function parseHistory(lines: readonly string[]): HistoryEntry[] {
  const out: HistoryEntry[] = [];
  for (const line of lines) {
    try {
      out.push(JSON.parse(line) as HistoryEntry);
    } catch {
      // skipped
    }
  }
  return out;
}
