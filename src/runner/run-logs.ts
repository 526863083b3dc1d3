import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** How many run folders `.ferry/logs/` keeps by default (`--keep-logs`, `keep_logs:` in ferry.yaml). */
export const DEFAULT_KEEP_LOGS = 100;

/**
 * A folder whose files changed this recently may belong to a run still going (another ferry in
 * the same project): it is never removed, whatever its age in the order.
 */
const ACTIVE_MS = 10 * 60_000;

/** A run's folder name: its start in UTC to the second, and 3 random bytes (`makeRunEnv`). */
const RUN_DIR = /^(\d{8}T\d{6})-[0-9a-f]{6}$/;

/** The newest mtime of a run folder and of its host logs (appends do not touch a folder's own mtime). */
function lastWritten(dir: string): number {
  let t = statSync(dir).mtimeMs;
  for (const f of readdirSync(dir)) t = Math.max(t, statSync(join(dir, f)).mtimeMs);
  return t;
}

/**
 * Remove the oldest run log folders under `root` (`.ferry/logs`) beyond the newest `keep`, except
 * those still being written. Only folders named like a run's are touched. Returns the folders
 * removed; a folder that cannot be read or removed is left (a log never fails a run).
 */
export function pruneRunLogs(root: string, keep: number, now = Date.now()): string[] {
  let runs: string[];
  try {
    // oldest first: by the start in the name, then (runs started in the same second) by the
    // folder's own mtime, set as its host logs were created
    runs = readdirSync(root)
      .map((name) => ({ name, start: RUN_DIR.exec(name)?.[1] }))
      .filter((r): r is { name: string; start: string } => r.start !== undefined)
      .map((r) => ({ ...r, made: statSync(join(root, r.name)).mtimeMs }))
      .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.made - b.made))
      .map((r) => r.name);
  } catch {
    return []; // no logs yet (or one vanished while listed: the next run prunes)
  }
  const removed: string[] = [];
  for (const name of runs.slice(0, Math.max(0, runs.length - keep))) {
    const dir = join(root, name);
    try {
      if (now - lastWritten(dir) < ACTIVE_MS) continue;
      rmSync(dir, { recursive: true, force: true });
      removed.push(name);
    } catch {
      // gone already, or not ours to remove: left as it is
    }
  }
  return removed;
}
