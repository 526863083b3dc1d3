import type { Fact } from '../../facts/fact.js';
import { quote } from '../../shell/quote.js';
import type { ReleasePaths } from './paths.js';

/** One line of .ferry/history.jsonl on a host. */
export interface HistoryEntry {
  readonly at: string;
  /** lb: `ferry lb drain|ready|maint`; maintenance: `ferry maintenance on|off` (both on the LB hosts) */
  readonly action: 'deploy' | 'rollback' | 'restart' | 'lb' | 'maintenance';
  readonly user: string;
  readonly controlHost: string;
  readonly runId: string;
  readonly bundle: string;
  readonly id?: string | undefined;
  readonly tag?: string | undefined;
  readonly commit?: string | undefined;
  readonly stage?: string | undefined;
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
  /** from the run's start to this host's finish */
  readonly durationMs?: number | undefined;
  /** id of the step that failed on this host, when one did */
  readonly failedStep?: string | undefined;
  /** a rollback: the release it switched away from, now marked bad (a later rollback skips it) */
  readonly bad?: string | undefined;
  /** an lb or maintenance line: what changed, e.g. `drain demo/web3` or `on demo` */
  readonly change?: string | undefined;
}

/** Who ran it and what release it was about: the same for every line of one run. */
export interface HistoryRun {
  readonly user: string;
  readonly controlHost: string;
  readonly runId: string;
  readonly label: { readonly name: string; readonly tag?: string | undefined; readonly commit?: string | undefined };
  /** the stage (--stage or ferry.yaml's default) the run deployed to */
  readonly stage?: string | undefined;
}

export interface HistoryEvent {
  readonly action: HistoryEntry['action'];
  readonly from: string | undefined;
  readonly to: string | undefined;
  readonly result: HistoryEntry['result'];
  readonly error?: string | undefined;
  readonly bad?: string | undefined;
  readonly change?: string | undefined;
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
    ...(run.stage ? { stage: run.stage } : {}),
    from: e.from,
    to: e.to,
    result: e.result,
    ...(e.error ? { error: e.error } : {}),
    ...(e.bad ? { bad: e.bad } : {}),
    ...(e.change ? { change: e.change } : {}),
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

/** Read-only: the last `lines` lines of history.jsonl (all of them when absent), oldest first. */
export function historyFact(p: ReleasePaths, lines?: number): Fact<HistoryEntry[]> {
  const file = quote(p.history);
  const read = lines === undefined ? `cat ${file}` : `tail -n ${Math.max(1, Math.floor(lines))} ${file}`;
  return {
    name: 'history',
    command: { script: `if [ -f ${file} ]; then ${read}; fi` },
    parse: (stdout) => parseHistory(stdout.split('\n').filter((l) => l.trim() !== '')),
  };
}

/**
 * Releases marked bad: each successful rollback marks the release it left (Deployer's BAD_RELEASE);
 * a later successful switch to a release clears its mark.
 */
export function badReleases(entries: readonly HistoryEntry[]): Set<string> {
  const bad = new Set<string>();
  for (const e of entries) {
    if (e.result !== 'ok' || (e.action !== 'deploy' && e.action !== 'rollback')) continue;
    if (e.to) bad.delete(e.to);
    if (e.action === 'rollback' && e.bad) bad.add(e.bad);
  }
  return bad;
}

/** What a host has now, besides its history. */
export interface StoreNow {
  readonly current?: string | undefined;
  readonly previous?: string | undefined;
  /** complete releases on the host */
  readonly present: readonly string[];
}

/**
 * Where a rollback without --to may take this host, best first: the releases that were live here
 * before, newest first (history's successful switches), without the live one, those marked bad and
 * those no longer on the host. With no switch in history: `previous`, unless marked bad.
 */
export function rollbackCandidates(entries: readonly HistoryEntry[], now: StoreNow): string[] {
  const bad = badReleases(entries);
  const live: string[] = [];
  for (const e of entries) {
    if (e.result !== 'ok' || (e.action !== 'deploy' && e.action !== 'rollback')) continue;
    for (const id of [e.from, e.to]) if (id && live[live.length - 1] !== id) live.push(id);
  }
  if (live.length === 0 && now.previous) live.push(now.previous);
  const out: string[] = [];
  for (const id of live.reverse()) {
    if (id === now.current || bad.has(id) || !now.present.includes(id) || out.includes(id)) continue;
    out.push(id);
  }
  return out;
}
