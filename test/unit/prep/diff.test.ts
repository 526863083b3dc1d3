import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unifiedDiff } from '../../../src/ops/prep/diff.js';

const enc = (s: string) => new TextEncoder().encode(s);

/** The hunks GNU diff -u prints for the same two texts (headers dropped). */
function gnuHunks(a: string, b: string): string {
  const d = mkdtempSync(join(tmpdir(), 'ferry-diff-'));
  writeFileSync(join(d, 'a'), a);
  writeFileSync(join(d, 'b'), b);
  const out = spawnSync('diff', ['-u', join(d, 'a'), join(d, 'b')], { encoding: 'utf8' }).stdout;
  return out.split('\n').slice(2).join('\n');
}

const ours = (a: string, b: string) => unifiedDiff('/f', enc(a), enc(b)).split('\n').slice(2).join('\n');

describe('unifiedDiff matches GNU diff -u hunks', () => {
  const lines = (n: number, f = (i: number) => `l${i}`) =>
    Array.from({ length: n }, (_, i) => `${f(i + 1)}\n`).join('');
  const cases: Array<[string, string, string]> = [
    ['one change in the middle', lines(20), lines(20).replace('l10\n', 'ten\n')],
    ['two far apart changes: two hunks', lines(30), lines(30).replace('l3\n', 'x\n').replace('l27\n', 'y\n')],
    ['two near changes: one hunk', lines(30), lines(30).replace('l10\n', 'x\n').replace('l15\n', 'y\n')],
    ['append at the end', lines(5), `${lines(5)}new\n`],
    ['insert at the start', lines(5), `new\n${lines(5)}`],
    ['delete everything', lines(3), ''],
    ['no newline at end of file', 'a\nb', 'a\nb\n'],
    ['from empty', '', 'x\ny\n'],
  ];
  for (const [name, a, b] of cases) it(name, () => expect(ours(a, b)).toBe(gnuHunks(a, b)));

  it('equal content is no diff; an absent file diffs from /dev/null', () => {
    expect(unifiedDiff('/f', enc('x\n'), enc('x\n'))).toBe('');
    expect(unifiedDiff('/f', undefined, enc('x\n'))).toBe('--- /dev/null\n+++ /f (wanted)\n@@ -0,0 +1 @@\n+x\n');
  });
});
