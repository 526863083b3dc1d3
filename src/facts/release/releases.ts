import type { HistoryEntry } from '../../ops/release/history.js';
import type { LockOwner } from '../../ops/release/lock-owner.js';
import { first, keyValues } from './key-values.js';
import { parseOwner } from './probe.js';

export interface HostReleases {
  readonly current?: string | undefined;
  readonly previous?: string | undefined;
  readonly releases: ReadonlyArray<{ id: string; mtime: Date }>;
  readonly partial: readonly string[];
  readonly lock?: LockOwner | string | undefined;
  readonly history: readonly HistoryEntry[];
}

const strip = (v: string | undefined) => v?.replace(/^(?:.*\/)?releases\//, '');

export function parseReleases(stdout: string): HostReleases {
  const kv = keyValues(stdout);
  const history: HistoryEntry[] = [];
  for (const line of kv.get('history') ?? []) {
    try {
      history.push(JSON.parse(line) as HistoryEntry);
    } catch {
      // a torn line (e.g. disk full) is skipped, never fatal
    }
  }
  return {
    current: strip(first(kv, 'current')),
    previous: strip(first(kv, 'previous')),
    releases: (kv.get('release') ?? [])
      .map((l) => {
        const [t, id] = l.split(' ');
        return { id: id ?? '', mtime: new Date(Number(t) * 1000) };
      })
      .filter((r) => r.id)
      .sort((a, b) => b.mtime.getTime() - a.mtime.getTime()),
    partial: kv.get('partial') ?? [],
    lock: parseOwner(first(kv, 'lock')),
    history,
  };
}
