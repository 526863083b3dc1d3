import type { ChildProcess } from 'node:child_process';
import type { Fleet } from '../../test/fleet/fleet.js';

/** Everything a section started that must die if the section times out. */
const children = new Set<ChildProcess>();
const fleets = new Set<Fleet>();

export function trackChild(child: ChildProcess): () => void {
  children.add(child);
  return () => children.delete(child);
}

export function trackFleet(fleet: Fleet): () => void {
  fleets.add(fleet);
  return () => fleets.delete(fleet);
}

/** Kill every tracked process group and stop every tracked fleet (after a section timed out). */
export async function releaseAll(): Promise<void> {
  for (const c of children) {
    try {
      if (c.pid !== undefined) process.kill(-c.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  children.clear();
  const all = [...fleets];
  fleets.clear();
  await Promise.allSettled(all.map((f) => f.stop()));
}
