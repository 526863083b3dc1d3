import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { archiveVerifies, stampVerified } from '../../../src/bundle/archive-stamp.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('cached archive quick check', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const setup = () => {
    const d = mkdtempSync(join(tmpdir(), 'ferry-stamp-'));
    dirs.push(d);
    return { file: join(d, 'a.tar.gz'), stamp: join(d, 'verified.json') };
  };

  it('hashes once, then trusts the stamp while the file is untouched', async () => {
    const { file, stamp } = setup();
    writeFileSync(file, 'archive v1');
    expect(await archiveVerifies(stamp, file, sha('archive v1'))).toBe(true);
    expect(JSON.parse(readFileSync(stamp, 'utf8'))).toMatchObject({ sha256: sha('archive v1'), size: 10 });
    // the stamp holds the sha it vouches for: another expected sha is hashed again, and refused
    expect(await archiveVerifies(stamp, file, sha('other'))).toBe(false);
  });

  it('a rewrite with the same size and the old mtime is still caught (ctime moved)', async () => {
    const { file, stamp } = setup();
    writeFileSync(file, 'archive v1');
    utimesSync(file, 1_700_000_000, 1_700_000_000);
    await stampVerified(stamp, file, sha('archive v1'));
    await new Promise((r) => setTimeout(r, 20));
    writeFileSync(file, 'archive v2'); // same length
    utimesSync(file, 1_700_000_000, 1_700_000_000);
    expect(statSync(file).mtimeMs).toBe(1_700_000_000_000);
    expect(await archiveVerifies(stamp, file, sha('archive v1'))).toBe(false);
  });

  it('a missing archive never verifies; a missing or broken stamp means hashing', async () => {
    const { file, stamp } = setup();
    expect(await archiveVerifies(stamp, file, sha(''))).toBe(false);
    writeFileSync(file, 'x');
    writeFileSync(stamp, '{not json');
    expect(await archiveVerifies(stamp, file, sha('x'))).toBe(true);
    expect(JSON.parse(readFileSync(stamp, 'utf8')).sha256).toBe(sha('x'));
  });
});
