import { describe, expect, test } from 'vitest';
import { execFile } from 'node:child_process';
import { chmod, link, mkdir, symlink, utimes, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { writeArchive } from '../../../src/bundle/archive.js';
import { walkTree, type TreeEntry } from '../../../src/bundle/tree.js';
import { tempDirs } from './temp-dirs.js';

const tempDir = tempDirs();

const run = promisify(execFile);

/** The same content, written with different modes, mtimes, creation order and hard links. */
async function tree(variant: 0 | 1): Promise<string> {
  const root = await tempDir('ferry-arch-');
  const names = variant === 0 ? ['b', 'a', 'B', 'é'] : ['é', 'B', 'a', 'b'];
  await mkdir(`${root}/app/sub/deep`, { recursive: true });
  for (const n of names) await writeFile(`${root}/app/${n}.txt`, `file ${n}\n`);
  await writeFile(`${root}/app/run.sh`, '#!/bin/sh\necho hi\n');
  await chmod(`${root}/app/run.sh`, variant === 0 ? 0o755 : 0o775);
  await writeFile(`${root}/app/sub/deep/data`, Buffer.alloc(70_000, 7));
  await chmod(`${root}/app/sub/deep/data`, variant === 0 ? 0o644 : 0o600);
  await symlink('../a.txt', `${root}/app/sub/link`);
  if (variant === 1) await link(`${root}/app/a.txt`, `${root}/app/sub/hard-twin-of-a`);
  else await writeFile(`${root}/app/sub/hard-twin-of-a`, 'file a\n');
  await utimes(`${root}/app/a.txt`, variant === 0 ? 1000 : 2_000_000, variant === 0 ? 1000 : 2_000_000);
  return root;
}

async function entries(root: string): Promise<TreeEntry[]> {
  const out: TreeEntry[] = [];
  for await (const e of walkTree(root, 'app')) out.push(e);
  return out;
}

describe('reproducible archive', () => {
  test(
    'same content → byte-identical archives, ' + 'whatever the modes, mtimes, order and hard links on disk',
    async () => {
      const mtime = new Date('2024-05-01T12:00:00Z');
      const a = await tree(0);
      const b = await tree(1);
      const ra = await writeArchive(a, await entries(a), mtime, `${a}/out.tar.gz`);
      const rb = await writeArchive(b, await entries(b), mtime, `${b}/out.tar.gz`);
      expect(ra.sha256).toBe(rb.sha256);
      expect(ra.size).toBe(rb.size);
      const other = await writeArchive(a, await entries(a), new Date('2024-05-01T12:00:01Z'), `${a}/out2.tar.gz`);
      expect(other.sha256).not.toBe(ra.sha256); // the mtime is really in there
    },
  );

  test('entries in byte order, directories first, no hard links, owner 0/0, normalized modes', async () => {
    const b = await tree(1);
    await writeArchive(b, await entries(b), new Date('2024-05-01T12:00:00Z'), `${b}/out.tar.gz`);
    const { stdout } = await run('tar', ['-tvzf', `${b}/out.tar.gz`, '--numeric-owner']);
    const rows = stdout
      .trim()
      .split('\n')
      .map((l) => l.split(/\s+/));
    expect(rows.map((r) => r.slice(5).join(' '))).toEqual([
      'app/',
      'app/B.txt',
      'app/a.txt',
      'app/b.txt',
      'app/run.sh',
      'app/sub/',
      'app/sub/deep/',
      'app/sub/deep/data',
      'app/sub/hard-twin-of-a',
      'app/sub/link -> ../a.txt',
      'app/é.txt',
    ]);
    expect(new Set(rows.map((r) => r[1]))).toEqual(new Set(['0/0']));
    const mode = (p: string) => rows.find((r) => r[5] === p)?.[0];
    expect(mode('app/run.sh')).toBe('-rwxr-xr-x');
    expect(mode('app/sub/deep/data')).toBe('-rw-r--r--');
    expect(mode('app/sub/')).toBe('drwxr-xr-x');
    expect(mode('app/sub/hard-twin-of-a')).toBe('-rw-r--r--'); // a regular file, not a `h` link entry
  });
});
