import { createWriteStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, constants } from 'node:zlib';
import { Pack, type WriteEntry } from 'tar';
import type { TreeEntry } from './tree.js';
import { normalMode } from './tree.js';

/** Never record hard links: two builds of the same tree must not differ by inode sharing. */
class NoLinks<K, V> extends Map<K, V> {
  override get(): V | undefined {
    return undefined;
  }
  override set(): this {
    return this;
  }
}

export interface ArchiveResult {
  readonly sha256: string;
  readonly size: number;
}

function normalize(entry: WriteEntry, mtime: Date): void {
  const st = entry.stat;
  if (!st) return;
  const type = st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'file';
  st.mode = (st.mode & ~0o7777) | normalMode(type, st.mode);
  st.uid = 0;
  st.gid = 0;
  st.mtime = mtime;
  entry.noMtime = false; // portable mode drops directory mtimes; ferry fixes them to the commit time
}

/**
 * Write a reproducible gzip tar of `entries` (relative to `root`, already in archive order) to
 * `dest`: no owner names, uid/gid 0, normalized modes, every mtime = `mtime`, no hard links.
 * Streamed end to end (tar → gzip → sha256 → file); returns the archive's sha256 and size.
 */
export async function writeArchive(root: string, entries: Iterable<TreeEntry>, mtime: Date, dest: string): Promise<ArchiveResult> {
  const pack = new Pack({
    cwd: root,
    portable: true,
    noDirRecurse: true,
    mtime,
    linkCache: new NoLinks(),
    onWriteEntry: (e: WriteEntry) => normalize(e, mtime),
  });
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  const written = pipeline(pack, createGzip({ level: constants.Z_DEFAULT_COMPRESSION }), tap, createWriteStream(dest));
  for (const e of entries) pack.add(e.path);
  pack.end();
  await written;
  return { sha256: hash.digest('hex'), size };
}
