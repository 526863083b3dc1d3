import { existsSync, mkdirSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pruneRunLogs } from '../../../src/runner/run-logs.js';

const HOUR = 3_600_000;

/** A .ferry/logs with these run folders, each holding one host log last written `ageMs` ago. */
function logs(runs: Record<string, number>, now: number): string {
  const root = mkdtempSync(join(tmpdir(), 'ferry-run-logs-'));
  for (const [name, ageMs] of Object.entries(runs)) {
    const dir = join(root, name);
    mkdirSync(dir);
    writeFileSync(join(dir, 'web1.log'), 'x\n');
    const t = new Date(now - ageMs);
    utimesSync(join(dir, 'web1.log'), t, t);
    utimesSync(dir, t, t);
  }
  return root;
}

describe('pruneRunLogs', () => {
  const now = Date.parse('2026-12-02T18:00:00Z');
  const run = (n: number) => `2026120${n}T120000-abcdef`;

  it('keeps the newest N run folders by name (their start), and nothing else is touched', () => {
    const root = logs({ [run(1)]: 5 * HOUR, [run(3)]: 3 * HOUR, [run(2)]: 4 * HOUR, [run(4)]: 2 * HOUR }, now);
    mkdirSync(join(root, 'notes')); // not a run's folder
    writeFileSync(join(root, 'README'), '');
    expect(pruneRunLogs(root, 2, now)).toEqual([run(1), run(2)]);
    expect(readdirSync(root).sort()).toEqual([run(3), run(4), 'README', 'notes'].sort());
    // already within the limit: nothing more goes
    expect(pruneRunLogs(root, 2, now)).toEqual([]);
  });

  it('leaves an old-named folder whose host log was written minutes ago (a run still going)', () => {
    // the folder itself is old; only its log file is recent, as when a long run appends to it
    const root = logs({ [run(1)]: 5 * HOUR, [run(2)]: 4 * HOUR, [run(3)]: 3 * HOUR }, now);
    const t = new Date(now - 60_000);
    utimesSync(join(root, run(1), 'web1.log'), t, t);
    expect(pruneRunLogs(root, 1, now)).toEqual([run(2)]);
    expect(existsSync(join(root, run(1)))).toBe(true);
    // control: an hour later the same folder goes
    expect(pruneRunLogs(root, 1, now + HOUR)).toEqual([run(1)]);
  });

  it('is a no-op without a logs folder', () => {
    expect(pruneRunLogs(join(tmpdir(), 'ferry-no-such-logs'), 1, now)).toEqual([]);
  });
});
