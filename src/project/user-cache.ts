import { lstatSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * `~/.cache/ferry/<name>` (`$XDG_CACHE_HOME`), made 0700; undefined when it cannot be made or
 * is not private to this user. What ferry caches there is trusted when read back (V8 runs cached
 * code; a parsed inventory decides where commands go), so a folder anyone else could write to is
 * never used.
 */
export function privateCacheDir(name: string): string | undefined {
  const dir = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'ferry', name);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    if (!st.isDirectory() || (process.getuid && st.uid !== process.getuid()) || (st.mode & 0o022) !== 0)
      return undefined;
    return dir;
  } catch {
    return undefined;
  }
}

/** Write a cache entry aside, then rename it in: a reader never sees half a file. Throws like writeFileSync. */
export function writeCacheEntry(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.${process.pid}`;
  writeFileSync(tmp, data, { mode: 0o600 });
  renameSync(tmp, file);
}
