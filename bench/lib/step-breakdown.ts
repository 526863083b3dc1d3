import { readFile } from 'node:fs/promises';

/** Where ferry's time went: step durations from a --json report, summed by step id over hosts. */
export async function stepBreakdown(json: string): Promise<string> {
  const report = JSON.parse(await readFile(json, 'utf8')) as {
    durationMs: number;
    hosts: Array<{ steps: Array<{ id: string; durationMs: number }> }>;
  };
  const by = new Map<string, number>();
  for (const h of report.hosts) for (const st of h.steps) by.set(st.id, (by.get(st.id) ?? 0) + st.durationMs);
  const parts = [...by].map(([id, ms]) => `${id} ${(ms / 1000).toFixed(2)}`);
  const duration = (report.durationMs / 1000).toFixed(2);
  return `${parts.join(', ')} (s, summed over ${report.hosts.length} hosts; report duration ${duration} s)`;
}
