import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { releasePaths } from '../../../src/ops/release/paths.js';
import { uploadCommand } from '../../../src/ops/release/upload.js';
import { localSh } from '../../helpers/local-sh.js';
import { fresh } from './fixtures.js';

describe('upload', () => {
  it('puts verified bytes under their sha256, leaving no temp file', async () => {
    const p = releasePaths(fresh());
    const content = 'artifact bytes';
    const sha = execFileSync('sha256sum', { input: content, encoding: 'utf8' }).split(' ')[0]!;
    const r = await localSh(uploadCommand(p, sha, 'run-1'), content);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(p.cacheDir)).toEqual([`${sha}.tar.gz`]);
    expect(readFileSync(p.cacheFile(sha), 'utf8')).toBe(content);
  });

  it('an upload whose bytes do not match never gets the final name', async () => {
    const p = releasePaths(fresh());
    const r = await localSh(uploadCommand(p, 'b'.repeat(64), 'run-2'), 'truncated');
    expect(r.code).toBe(65);
    expect(r.stderr).toMatch(/sha256 mismatch after upload: got [0-9a-f]{64}, want b{64}/);
    expect(readdirSync(p.cacheDir)).toEqual([]);
  });

  it('removes the parts dead runs left (it runs under the lock) before it writes its own', async () => {
    const p = releasePaths(fresh());
    mkdirSync(p.cacheDir, { recursive: true });
    const content = 'artifact bytes';
    const sha = execFileSync('sha256sum', { input: content, encoding: 'utf8' }).split(' ')[0]!;
    writeFileSync(`${p.cacheFile('c'.repeat(64))}.part-killed`, 'x'.repeat(1000));
    writeFileSync(`${p.cacheFile(sha)}.part-full`, 'half');
    const r = await localSh(uploadCommand(p, sha, 'run-3'), content);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(p.cacheDir)).toEqual([`${sha}.tar.gz`]);
  });
});
