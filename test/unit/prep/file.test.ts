import { mkdtemp, mkdir, readFile, stat, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { prep } from '../../../src/index.js';
import { UsageError } from '../../../src/errors/index.js';
import { applyLocal, ids, planLocal } from './helpers.js';

/** quotes, $(), backslashes, bytes that are not UTF-8, no trailing newline */
const HOSTILE = new Uint8Array([
  ...new TextEncoder().encode(`it's "$(id)" \`uname\` \\n $HOME %s\n\t\r\n`),
  0x80,
  0xfe,
  0xff,
  0x01,
  0x7f,
  0x1b,
  0x5b,
  0x33,
]);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-prep-file-'));
});

describe('prep.file with a real local sh', () => {
  it('creates a file byte-exact (hostile bytes, no trailing newline) with its mode; a second run plans nothing', async () => {
    const path = join(dir, 'a', 'b', 'hostile.bin');
    const op = prep.file({ path, content: HOSTILE, mode: 0o640 });
    const first = await applyLocal([op]);
    expect(ids(first)).toEqual([`file ${path}: write`]);
    expect(new Uint8Array(await readFile(path))).toEqual(HOSTILE);
    expect((await stat(path)).mode & 0o7777).toBe(0o640);
    expect(first.diffs[0]).toContain(`binary content differs (0 → ${HOSTILE.length} bytes)`);
    const second = await planLocal([op]);
    expect(second.steps).toEqual([]);
    expect(second.unchanged).toEqual([`${path} (${HOSTILE.length} bytes, mode 640)`]);
  });

  it('a changed mode alone is a chmod, a changed content a diff with the right hunk', async () => {
    const path = join(dir, 'conf');
    const text = Array.from({ length: 12 }, (_, i) => `line ${i + 1}`).join('\n');
    await writeFile(path, `${text}\n`);
    await chmod(path, 0o600);
    const same = await planLocal([prep.file({ path, content: `${text}\n`, mode: '644' })]);
    expect(same.steps.map((s) => s.title)).toEqual([`chmod 644 ${path}`]);
    const changed = await planLocal([prep.file({ path, content: `${text.replace('line 6', 'line six')}\n` })]);
    expect(changed.steps.map((s) => s.title)).toEqual([`update ${path} (89 bytes, mode 600)`]);
    expect(changed.diffs[0]).toBe(
      `--- ${path} (host)\n+++ ${path} (wanted)\n@@ -3,7 +3,7 @@\n line 3\n line 4\n line 5\n-line 6\n+line six\n line 7\n line 8\n line 9\n`,
    );
  });

  it('keeps an existing file mode when none is given, and removes with state absent', async () => {
    const path = join(dir, 'keep');
    await writeFile(path, 'old');
    await chmod(path, 0o604);
    await applyLocal([prep.file({ path, content: 'new' })]);
    expect((await stat(path)).mode & 0o7777).toBe(0o604);
    expect(await readFile(path, 'utf8')).toBe('new');
    const gone = await applyLocal([prep.file({ path, state: 'absent' })]);
    expect(ids(gone)).toEqual([`file ${path}: remove`]);
    expect((await planLocal([prep.file({ path, state: 'absent' })])).steps).toEqual([]);
  });

  it('refuses to replace a directory, naming it', async () => {
    const path = join(dir, 'isdir');
    await mkdir(path);
    const plan = await planLocal([prep.file({ path, content: 'x' })]);
    expect(plan.steps).toEqual([]);
    expect(plan.refusals).toEqual([
      {
        subject: path,
        reason: `is a directory, not a regular file: file ${path} will not replace it`,
        forceable: false,
      },
    ]);
  });

  it('a file larger than 256 KiB is compared by sha256 on the host, not read back', async () => {
    const path = join(dir, 'big');
    const big = new Uint8Array(300 * 1024).map((_, i) => i % 251);
    await writeFile(path, big);
    expect((await planLocal([prep.file({ path, content: big })])).steps).toEqual([]);
    const other = big.slice();
    other[1000] = 7;
    const plan = await planLocal([prep.file({ path, content: other })]);
    expect(plan.steps.map((s) => s.id)).toEqual([`file ${path}: write`]);
    expect(plan.diffs).toEqual([`${path}: content differs (too large to diff)\n`]);
  });

  it('a sensitive file shows no diff', async () => {
    const plan = await planLocal([prep.file({ path: join(dir, 's'), content: 'secret=1\n', sensitive: true })]);
    expect(plan.steps).toHaveLength(1);
    expect(plan.diffs).toEqual([]);
  });
});

describe('prep.file bad input', () => {
  it('names the op and what is wrong', () => {
    expect(() => prep.file({ path: 'etc/x', content: '' })).toThrow(UsageError);
    expect(() => prep.file({ path: 'etc/x', content: '' })).toThrow(
      /prep\.file: path "etc\/x" must be an absolute path/,
    );
    expect(() => prep.file({ path: '/a/../b', content: '' })).toThrow(/absolute path without '\.\.'/);
    expect(() => prep.file({ path: '/x', content: '', mode: '0o644' })).toThrow(/mode "0o644" is not octal/);
    expect(() => prep.file({ path: '/x', content: '', mode: '999' })).toThrow(/not octal/);
    expect(() => prep.file({ path: '/x', content: '', mode: 0o17777 })).toThrow(/not a file mode/);
    expect(() => prep.file({ path: '/x', content: '', owner: 'Bad User' })).toThrow(/owner "Bad User" is not a valid/);
    expect(() => prep.file({ path: '/x' })).toThrow(/content is required/);
  });
});
