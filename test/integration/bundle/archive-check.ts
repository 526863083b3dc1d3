import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Extract with the system tar (what a host runs) into a fresh folder. */
export async function extractWithTar(archive: string, into?: string): Promise<string> {
  const dir = into ?? (await mkdtemp(`${tmpdir()}/ferry-bundle-x-`));
  await run('tar', ['-xzf', archive, '-C', dir]);
  return dir;
}

/** `tar -tvz --numeric-owner` lines: mode, owner, size, date, time, path. */
export async function listWithTar(
  archive: string,
): Promise<{ mode: string; owner: string; path: string; mtime: string }[]> {
  const { stdout } = await run('tar', ['-tvzf', archive, '--numeric-owner', '--full-time'], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout
    .trim()
    .split('\n')
    .map((l) => {
      const [mode = '', owner = '', , date = '', time = '', ...rest] = l.split(/\s+/);
      const path = rest.join(' ').replace(/ -> .*$/, '');
      return { mode, owner, path, mtime: `${date} ${time}` };
    });
}

export async function sha256Of(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

export { readlink };
