import { closeSync, createWriteStream, lstatSync, openSync, readSync, readlinkSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, constants, type Gzip } from 'node:zlib';
import { Header, Pax } from 'tar';
import { FailedError } from '../errors/index.js';
import { normalMode, sha256Text, type FileRecord, type TreeEntry } from './tree.js';

const BLOCK = 512;
/** bytes gathered before a write to gzip (zlib runs on the thread pool, one job per write) */
const CHUNK = 1024 * 1024;

export interface ArchiveResult {
  readonly sha256: string;
  readonly size: number;
  /** size + sha256 + mode of every file and symlink written, in archive order */
  readonly records: FileRecord[];
}

/** An entry computed at the end from the records (the manifest): written last. */
export type FinalEntry = (records: readonly FileRecord[]) => { path: string; data: Buffer };

/**
 * Copies everything into fixed 1 MiB chunks handed to gzip (zlib runs on the thread pool, one
 * job per write), waiting for the gzip stream to drain: memory stays flat whatever the input.
 */
class Sink {
  private buf = Buffer.allocUnsafe(CHUNK);
  private pos = 0;
  constructor(private readonly gz: Gzip) {}
  async push(data: Buffer): Promise<void> {
    let off = 0;
    while (off < data.length) {
      const n = data.copy(this.buf, this.pos, off);
      off += n;
      this.pos += n;
      if (this.pos === CHUNK) await this.flush();
    }
  }
  async flush(): Promise<void> {
    if (this.pos === 0) return;
    const full = this.pos === CHUNK ? this.buf : this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(CHUNK); // the old one now belongs to gzip
    this.pos = 0;
    if (!this.gz.write(full)) await once(this.gz, 'drain');
  }
}

/** ustar header block (preceded by a pax header when the path does not fit): uid/gid 0, no names. */
function header(
  path: string,
  type: 'Directory' | 'File' | 'SymbolicLink',
  size: number,
  mode: number,
  mtime: Date,
  linkpath?: string,
): Buffer {
  const h = new Header({
    path,
    type,
    size,
    mode,
    mtime,
    uid: 0,
    gid: 0,
    uname: '',
    gname: '',
    ...(linkpath !== undefined ? { linkpath } : {}),
  });
  const needPax = h.encode();
  const block = h.block as Buffer;
  if (!needPax) return block;
  const pax = new Pax({ path, size, mtime, ...(linkpath !== undefined ? { linkpath } : {}) }).encode();
  return Buffer.concat([pax, block]);
}

const padding = (size: number): Buffer => Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);

/**
 * A file's bytes in pieces of `scratch` (reused: every piece is copied before the next read).
 * Synchronous reads: for thousands of small files one syscall each beats a thread-pool round
 * trip each, and gzip keeps running on the pool meanwhile.
 */
function* pieces(abs: string, scratch: Buffer): Generator<Buffer> {
  const fd = openSync(abs, 'r');
  try {
    for (;;) {
      const n = readSync(fd, scratch, 0, scratch.length, null);
      if (n === 0) return;
      yield scratch.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Write a reproducible gzip tar of `entries` (relative to `root`, already in archive order) to
 * `dest`, in one pass that also hashes every file: no owner names, uid/gid 0, normalized modes
 * (0755 dirs and executables, 0644 files), every mtime = `mtime`, no hard links. Headers are
 * encoded by the `tar` package; files are read in 1 MiB pieces into a reused buffer, the output goes
 * tar → gzip → sha256 → file with backpressure, so memory stays flat in the number and size of
 * files. `final` (the manifest) is computed from the records and written last.
 */
export async function writeArchive(
  root: string,
  entries: readonly TreeEntry[],
  mtime: Date,
  dest: string,
  final?: FinalEntry,
): Promise<ArchiveResult> {
  const gz = createGzip({ level: constants.Z_DEFAULT_COMPRESSION });
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  const written = pipeline(gz, tap, createWriteStream(dest));
  written.catch(() => undefined); // awaited below; a failure also surfaces through the writes
  const sink = new Sink(gz);
  const records: FileRecord[] = [];
  const scratch = Buffer.allocUnsafe(CHUNK);
  try {
    for (const entry of entries) {
      if (entry.type === 'dir') {
        await sink.push(header(`${entry.path}/`, 'Directory', 0, 0o755, mtime));
      } else if (entry.type === 'symlink') {
        const target = readlinkSync(`${root}/${entry.path}`);
        await sink.push(header(entry.path, 'SymbolicLink', 0, 0o777, mtime, target));
        records.push({ path: entry.path, size: 0, sha256: sha256Text(target), mode: 0o777, link: target });
      } else {
        const mode = normalMode('file', entry.mode ?? 0o644);
        const fileSize = entry.size ?? lstatSync(`${root}/${entry.path}`).size;
        await sink.push(header(entry.path, 'File', fileSize, mode, mtime));
        const h = createHash('sha256');
        let seen = 0;
        for (const piece of pieces(`${root}/${entry.path}`, scratch)) {
          h.update(piece);
          seen += piece.length;
          await sink.push(piece);
        }
        if (seen !== fileSize) throw new FailedError(`archive: ${entry.path} changed size while being archived`);
        await sink.push(padding(fileSize));
        records.push({ path: entry.path, size: fileSize, sha256: h.digest('hex'), mode });
      }
    }
    if (final) {
      const { path, data } = final(records);
      await sink.push(header(path, 'File', data.length, 0o644, mtime));
      await sink.push(data);
      await sink.push(padding(data.length));
    }
    await sink.push(Buffer.alloc(2 * BLOCK)); // end of archive
    await sink.flush();
    gz.end();
    await written;
  } catch (e) {
    gz.destroy(e instanceof Error ? e : undefined);
    await written.catch(() => undefined);
    throw e;
  }
  return { sha256: hash.digest('hex'), size, records };
}
