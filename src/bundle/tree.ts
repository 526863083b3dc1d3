import { createReadStream } from 'node:fs';
import { lstatSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';

/** One entry of a staged tree, in archive order. */
export interface TreeEntry {
  /** relative, '/'-separated; directories without a trailing slash */
  readonly path: string;
  readonly type: 'dir' | 'file' | 'symlink';
  /** lstat mode and size, when walked from disk */
  readonly mode?: number;
  readonly size?: number;
}

/** Byte order of UTF-8 names: the same on every machine and locale. */
function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * Every directory, file and symlink under `root/rel`, depth-first, names sorted by bytes,
 * a directory before its contents. Other file types (sockets, fifos) are skipped.
 */
export async function* walkTree(root: string, rel: string): AsyncGenerator<TreeEntry> {
  const st = lstatSync(`${root}/${rel}`); // sync: one syscall, no thread-pool round trip
  if (st.isSymbolicLink()) return yield { path: rel, type: 'symlink', mode: st.mode, size: 0 };
  if (st.isFile()) return yield { path: rel, type: 'file', mode: st.mode, size: st.size };
  if (!st.isDirectory()) return;
  yield { path: rel, type: 'dir', mode: st.mode, size: 0 };
  const names = readdirSync(`${root}/${rel}`).sort(compareNames);
  for (const name of names) yield* walkTree(root, `${rel}/${name}`);
}

export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(path)
      .on('data', (c) => h.update(c))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}

export function sha256Text(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The normalized mode ferry writes for an entry: 0755 dirs and executables, 0644 files, 0777 links. */
export function normalMode(type: TreeEntry['type'], statMode: number): number {
  if (type === 'symlink') return 0o777;
  if (type === 'dir') return 0o755;
  return statMode & 0o111 ? 0o755 : 0o644;
}

export interface FileRecord {
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
  readonly mode: number;
  /** symlink target (then sha256 is of the target text, size 0) */
  readonly link?: string;
}
