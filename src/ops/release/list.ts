import type { Fact } from '../../facts/fact.js';
import { quote } from '../../shell/quote.js';
import { badReleases, parseHistory, type HistoryEntry } from './history.js';
import { first, keyValues } from './key-values.js';
import { describeOwner, parseOwner, printOwnerScript, type OwnerSeen } from './lock.js';
import { releaseIdOf, type ReleasePaths } from './paths.js';

/** One host's release store as `ferry releases` and `ferry unlock` read it. */
export interface HostReleases {
  readonly current?: string | undefined;
  readonly previous?: string | undefined;
  /** complete releases, newest first */
  readonly releases: ReadonlyArray<{ id: string; mtime: Date }>;
  readonly partial: readonly string[];
  readonly lock?: OwnerSeen;
  readonly history: readonly HistoryEntry[];
}

/** Read-only: current, previous, every complete release with its mtime, the lock owner and the last history lines. */
export function releasesFact(p: ReleasePaths, historyLines = 50): Fact<HostReleases> {
  const q = quote;
  const script = [
    `printf 'current=%s\\n' "$(readlink ${q(p.current)} 2>/dev/null)"`,
    `printf 'previous=%s\\n' "$(readlink ${q(p.previous)} 2>/dev/null)"`,
    `if [ -d ${q(p.lock)} ]; then ${printOwnerScript(p, 'lock')}; fi`,
    `if [ -d ${q(p.releases)} ]; then cd ${q(p.releases)} && for d in *; do case "$d" in ` +
      `*.partial) printf 'partial=%s\\n' "$d" ;; ` +
      `*) [ -d "$d" ] && printf 'release=%s %s\\n' "$(stat -c %Y "$d")" "$d" ;; esac; done; fi`,
    `if [ -f ${q(p.history)} ]; then tail -n ${historyLines} ${q(p.history)} | sed 's/^/history=/'; fi`,
    'true',
  ].join('\n');
  return { name: 'releases', command: { script }, parse: parseReleases };
}

function parseReleases(stdout: string): HostReleases {
  const kv = keyValues(stdout);
  return {
    current: releaseIdOf(first(kv, 'current')),
    previous: releaseIdOf(first(kv, 'previous')),
    releases: (kv.get('release') ?? [])
      .map((l) => {
        const [t, id] = l.split(' ');
        return { id: id ?? '', mtime: new Date(Number(t) * 1000) };
      })
      .filter((r) => r.id)
      .sort((a, b) => b.mtime.getTime() - a.mtime.getTime()),
    partial: kv.get('partial') ?? [],
    lock: parseOwner(first(kv, 'lock')),
    history: parseHistory(kv.get('history') ?? []),
  };
}

/** One host's answer to the listing, or why there is none. */
export interface ReleasesRow {
  readonly host: string;
  readonly releases?: HostReleases | undefined;
  readonly error?: string | undefined;
}

/** `from → to` when the host got `to`; else the release tried and where the host stayed. */
function lastMove(e: HistoryEntry): string {
  const to = e.to ?? '-';
  const from = e.from ?? '(none)';
  if (e.result === 'ok' || e.result === 'unchanged' || e.from === e.to) return `${e.from ?? '-'} → ${to}`;
  if (e.result === 'rolled-back') return `${to} (switched back to ${from})`;
  if (e.result === 'staged-only') return `${to} (not switched: still on ${from})`;
  return `${to} (was on ${from})`;
}

/** The `ferry releases` table: per host current, previous, other staged ids, dates; flags disagreement. */
export function formatReleases(perHost: readonly ReleasesRow[]): string {
  const lines: string[] = [];
  const date = (d: Date) =>
    d
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, 'Z');
  for (const h of perHost) {
    if (!h.releases) {
      lines.push(`${h.host}: ERROR ${h.error ?? ''}`);
      continue;
    }
    const r = h.releases;
    const when = (id: string | undefined) => r.releases.find((x) => x.id === id)?.mtime;
    const since = when(r.current);
    // Deployer's BAD_RELEASE: a release a rollback left, skipped by the next rollback
    const bad = badReleases(r.history);
    const mark = (id: string | undefined) => (id && bad.has(id) ? ' BAD (rolled back from)' : '');
    const cur = r.current ? `${r.current}${since ? ` (${date(since)})` : ''}${mark(r.current)}` : '(none)';
    lines.push(`${h.host}:`);
    lines.push(`  current   ${cur}`);
    lines.push(`  previous  ${r.previous ?? '(none)'}${mark(r.previous)}`);
    const others = r.releases.filter((x) => x.id !== r.current && x.id !== r.previous);
    for (const o of others) lines.push(`  staged    ${o.id} (${date(o.mtime)})${mark(o.id)}`);
    if (r.lock) lines.push(`  LOCKED    by ${describeOwner(r.lock, false)}`);
    const last = r.history[r.history.length - 1];
    if (last) {
      const by = `by ${last.user}@${last.controlHost} at ${last.at}`;
      lines.push(`  last      ${last.action} ${last.result} ${lastMove(last)} ${by}`);
      const why = last.result === 'ok' ? undefined : last.error?.split('\n')[0];
      if (why) lines.push(`            ${why}`);
    }
  }
  const currents = new Map<string, string[]>();
  for (const h of perHost) {
    if (!h.releases) continue;
    const id = h.releases.current ?? '(none)';
    currents.set(id, [...(currents.get(id) ?? []), h.host]);
  }
  if (currents.size > 1) {
    const each = [...currents].map(([id, hs]) => `${hs.join(',')} → ${id}`);
    lines.push(`WARNING: hosts disagree on current: ${each.join('; ')}`);
  } else if (currents.size === 1) {
    lines.push(`all ${perHost.length} host(s) on ${[...currents.keys()][0]}`);
  }
  return `${lines.join('\n')}\n`;
}
