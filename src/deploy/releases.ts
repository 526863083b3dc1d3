import type { HostReleases } from '../facts/release/releases.js';

/** The `ferry releases` table: per host current, previous, other staged ids, dates; flags disagreement. */
export function formatReleases(perHost: ReadonlyArray<{ host: string; releases?: HostReleases; error?: string }>): string {
  const lines: string[] = [];
  const date = (d: Date) => d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  for (const h of perHost) {
    if (!h.releases) {
      lines.push(`${h.host}: ERROR ${h.error ?? ''}`);
      continue;
    }
    const r = h.releases;
    const when = (id: string | undefined) => r.releases.find((x) => x.id === id)?.mtime;
    const cur = r.current ? `${r.current}${when(r.current) ? ` (${date(when(r.current) as Date)})` : ''}` : '(none)';
    lines.push(`${h.host}:`);
    lines.push(`  current   ${cur}`);
    lines.push(`  previous  ${r.previous ?? '(none)'}`);
    const others = r.releases.filter((x) => x.id !== r.current && x.id !== r.previous);
    for (const o of others) lines.push(`  staged    ${o.id} (${date(o.mtime)})`);
    if (r.lock) lines.push(`  LOCKED    by ${typeof r.lock === 'string' ? r.lock : `${r.lock.user}@${r.lock.host} pid ${r.lock.pid} since ${r.lock.started}`}`);
    const last = r.history[r.history.length - 1];
    if (last) lines.push(`  last      ${last.action} ${last.result} ${last.from ?? '-'} → ${last.to ?? '-'} by ${last.user}@${last.controlHost} at ${last.at}`);
  }
  const currents = new Map<string, string[]>();
  for (const h of perHost) if (h.releases) currents.set(h.releases.current ?? '(none)', [...(currents.get(h.releases.current ?? '(none)') ?? []), h.host]);
  if (currents.size > 1) {
    lines.push(`WARNING: hosts disagree on current: ${[...currents].map(([id, hs]) => `${hs.join(',')} → ${id}`).join('; ')}`);
  } else if (currents.size === 1) {
    lines.push(`all ${perHost.length} host(s) on ${[...currents.keys()][0]}`);
  }
  return `${lines.join('\n')}\n`;
}
