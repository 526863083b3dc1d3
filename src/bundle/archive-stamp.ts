import { readFile, stat, writeFile } from 'node:fs/promises';
import { sha256File } from './tree.js';

/** What the archive file looked like when it was last hashed. */
interface Stamp {
  readonly sha256: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly ino: number;
}

async function identity(path: string): Promise<Omit<Stamp, 'sha256'>> {
  const st = await stat(path);
  return { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino };
}

async function readStamp(stampPath: string): Promise<Stamp | undefined> {
  try {
    return JSON.parse(await readFile(stampPath, 'utf8')) as Stamp;
  } catch {
    return undefined; // none yet, or unreadable: hash
  }
}

/** Record that `path` hashed to `sha256` as it is now. */
export async function stampVerified(stampPath: string, path: string, sha256: string): Promise<void> {
  const stamp: Stamp = { sha256, ...(await identity(path)) };
  await writeFile(stampPath, `${JSON.stringify(stamp)}\n`);
}

/**
 * Does the cached archive still hash to `sha256`? Re-hashing costs ~2 ms per MB on every deploy,
 * so, like make's or rsync's quick check, a stamp of size, mtime, ctime and inode as last hashed
 * stands in for the hash while they all match. Any write to the file moves its ctime (which no
 * one can set back), so a changed archive is always hashed again; the host checks the sha256 of
 * every upload in any case.
 */
export async function archiveVerifies(stampPath: string, path: string, sha256: string): Promise<boolean> {
  const now = await identity(path).catch(() => undefined);
  if (now === undefined) return false;
  const old = await readStamp(stampPath);
  if (
    old &&
    old.sha256 === sha256 &&
    old.size === now.size &&
    old.mtimeMs === now.mtimeMs &&
    old.ctimeMs === now.ctimeMs &&
    old.ino === now.ino
  )
    return true;
  if ((await sha256File(path)) !== sha256) return false;
  await stampVerified(stampPath, path, sha256).catch(() => undefined);
  return true;
}
