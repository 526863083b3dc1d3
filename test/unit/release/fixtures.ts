import { mkdirSync, mkdtempSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LockOwner } from '../../../src/ops/release/lock.js';

// The release-store builders are pure; their scripts are run here by a local sh against a temp folder.

export const fresh = (): string => mkdtempSync(join(tmpdir(), 'ferry-rel-'));

/** Complete releases under root/releases, one day apart (the first oldest), each with its .ferry-sha256. */
export function withReleases(root: string, ids: readonly string[]): void {
  ids.forEach((id, i) => {
    const d = join(root, 'releases', id);
    mkdirSync(join(d, 'config'), { recursive: true });
    writeFileSync(join(d, '.ferry-sha256'), `${String(i).repeat(64).slice(0, 64)}\n`);
    const t = new Date(Date.UTC(2026, 0, 1 + i));
    utimesSync(d, t, t);
  });
}

export const alice: LockOwner = {
  user: 'alice',
  host: 'ctl',
  pid: 1,
  started: '2026-01-01T00:00:00Z',
  runId: 'r1',
  command: "ferry deploy app --tag 'v1'",
};
