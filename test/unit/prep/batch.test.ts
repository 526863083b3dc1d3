import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitSections } from '../../../src/facts/storage/sections.js';
import { parsePathBatch, pathBatchScript } from '../../../src/ops/prep/batch.js';
import { parseFileFacts } from '../../../src/ops/prep/file-facts.js';
import { sh } from '../../../src/shell/command.js';
import { localSh } from '../../helpers/local-sh.js';

/** One batch over awkward paths with the real local sh: each path gets what its own section would. */
describe('the batched path probe', () => {
  let dir: string;
  const HOSTILE = Buffer.from([...Buffer.from(`it's "$(id)" \`x\` 100%\n\t`), 0x80, 0xfe, 0xff, 0x01]);
  const BIG = Buffer.alloc(300 * 1024, 0x61);
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-batch-'));
    await writeFile(join(dir, 'a|b'), HOSTILE);
    await writeFile(join(dir, 'empty'), '');
    await writeFile(join(dir, 'big\\one'), BIG);
    await writeFile(join(dir, 'plain'), 'x\n');
    await mkdir(join(dir, 'sub dir'));
    await symlink('/etc/hostname', join(dir, 'link'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('stats all, returns small files byte-exact, large ones by sha256, nothing for a missing path', async () => {
    const paths = ['a|b', 'missing', 'empty', 'big\\one', 'sub dir', 'link', 'plain'].map((p) => join(dir, p));
    const r = await localSh(sh(`${pathBatchScript(paths)} && echo && echo '@@ferry:end@@'`));
    expect(r.code, r.stderr).toBe(0);
    const got = parsePathBatch(splitSections(r.stdout), paths);
    const facts = (p: string) => parseFileFacts((name) => (name === 'file' ? got.get(join(dir, p))?.text : undefined));
    expect(Buffer.from(facts('a|b').content ?? [])).toEqual(HOSTILE);
    expect(facts('a|b').stat).toMatchObject({ type: 'regular file', size: HOSTILE.length });
    expect(got.has(join(dir, 'missing'))).toBe(false);
    expect(facts('empty').content).toEqual(new Uint8Array());
    expect(facts('big\\one').content).toBeUndefined();
    expect(facts('big\\one').sha256).toBe(createHash('sha256').update(BIG).digest('hex'));
    expect(facts('sub dir').stat?.type).toBe('directory');
    expect(facts('link').stat?.type).toBe('symbolic link');
    expect(got.get(join(dir, 'link'))?.target).toBe('/etc/hostname');
    expect(got.get(join(dir, 'plain'))?.target).toBeUndefined();
    expect(Buffer.from(facts('plain').content ?? []).toString()).toBe('x\n');
  });

  it('a size that no longer matches the bytes (changed between stat and cat) gives no content at all', () => {
    const sections = new Map([
      ['paths.stat', 'regular file|644|root|root|5|/a\nregular file|644|root|root|3|/b'],
      ['paths.content', Buffer.from('1234567').toString('base64')],
    ]);
    const got = parsePathBatch(sections, ['/a', '/b']);
    expect(got.get('/a')?.text).toBe('regular file|644|root|root|5');
    expect(got.get('/b')?.text).toBe('regular file|644|root|root|3');
  });
});
