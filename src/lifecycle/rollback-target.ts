import type { RecordedRelease } from '../ops/release/manifest.js';

/** What a rollback's start found on one host: where it may go (best first) and that release's record. */
export interface HostTarget {
  readonly candidates: readonly string[];
  /** the first candidate's manifest: the definition the host is activated with */
  readonly release: RecordedRelease;
}

/**
 * Why each refused host may not go on, once every host has its target: without `perHost`, hosts
 * whose first candidates differ (each host's line lists its own candidates); always, a release
 * whose recorded definition differs between hosts. An empty map: every host may go on.
 */
export function rollbackRefusals(targets: ReadonlyMap<string, HostTarget>, perHost: boolean): Map<string, string> {
  const out = new Map<string, string>();
  const ids = new Set([...targets.values()].map((t) => t.release.id));
  if (!perHost && ids.size > 1) {
    const all = [...targets.values()];
    const common = all[0]?.candidates.filter((id) => all.every((t) => t.candidates.includes(id))) ?? [];
    const hint = common.length ? `--to ${common[0]} (a candidate on every host)` : '--to <id>';
    for (const [host, t] of targets) {
      out.set(
        host,
        `hosts disagree on the release to roll back to; this host's candidates, newest first: ` +
          `${t.candidates.join(', ')} — nothing switched; rerun with ${hint} or --per-host`,
      );
    }
    return out;
  }
  for (const id of ids) {
    const byDefinition = new Map<string, string[]>();
    for (const [host, t] of targets) {
      if (t.release.id !== id) continue;
      const key = JSON.stringify(t.release.definition);
      byDefinition.set(key, [...(byDefinition.get(key) ?? []), host]);
    }
    if (byDefinition.size < 2) continue;
    const groups = [...byDefinition.values()].map((hs) => hs.join(',')).join(' / ');
    for (const hosts of byDefinition.values()) {
      for (const host of hosts)
        out.set(host, `release ${id} recorded a different definition on ${groups}: refusing to roll back to it`);
    }
  }
  return out;
}
