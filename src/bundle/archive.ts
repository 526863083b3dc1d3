import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, readlink } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, constants, type Gzip } from 'node:zlib';
import { Header, Pax } from 'tar';
import { normalMode, sha256Text, type FileRecord, type TreeEntry } from './tree.js';

const BLOCK = 512;
/** files up to this size are read whole (and read ahead); bigger ones are streamed */
const WHOLE = 4 * 1024 * 1024;
/** how many small files are read ahead of the one being written */
const LOOKAHEAD = 16;
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

/** Gathers small buffers into large writes, honoring the gzip stream's backpressure. */
class Sink {
  private parts: Buffer[] = [];
  private bytes = 0;
  constructor(private readonly gz: Gzip) {}
  async push(buf: Buffer): Promise<void> {
    this.parts.push(buf);
    this.bytes += buf.length;
    if (this.bytes >= CHUNK) await this.flush();
  }
  async flush(): Promise<void> {
    if (this.bytes === 0) return;
    const buf = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts, this.bytes);
    this.parts = [];
    this.bytes = 0;
    if (!this.gz.write(buf)) await once(this.gz, 'drain');
  }
}

/** ustar header block (preceded by a pax header when the path does not fit): uid/gid 0, no names. */
function header(path: string, type: 'Directory' | 'File' | 'SymbolicLink', size: number, mode: number, mtime: Date, linkpath?: string): Buffer {
  const h = new Header({ path, type, size, mode, mtime, uid: 0, gid: 0, uname: '', gname: '', ...(linkpath !== undefined ? { linkpath } : {}) });
  const needPax = h.encode();
  const block = h.block as Buffer;
  if (!needPax) return block;
  const pax = new Pax({ path, size, mtime, ...(linkpath !== undefined ? { linkpath } : {}) }).encode();
  return Buffer.concat([pax, block]);
}

const padding = (size: number): Buffer => Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);

interface Loaded {
  readonly entry: TreeEntry;
  readonly data?: Buffer;
  readonly link?: string;
}

async function load(root: string, e: TreeEntry): Promise<Loaded> {
  const abs = `${root}/${e.path}`;
  if (e.type === 'symlink') return { entry: e, link: await readlink(abs) };
  if (e.type === 'file' && (e.size ?? 0) <= WHOLE) return { entry: e, data: await readFile(abs) };
  return { entry: e };
}

/**
 * Write a reproducible gzip tar of `entries` (relative to `root`, already in archive order) to
 * `dest`, in one pass that also hashes every file: no owner names, uid/gid 0, normalized modes
 * (0755 dirs and executables, 0644 files), every mtime = `mtime`, no hard links. Headers are
 * encoded by the `tar` package; files are read a few ahead, big ones streamed, the output goes
 * tar → gzip → sha256 → file with backpressure, so memory stays flat in the number and size of
 * files. `final` (the manifest) is computed from the records and written last.
 */
export async function writeArchive(root: string, entries: readonly TreeEntry[], mtime: Date, dest: string, final?: FinalEntry): Promise<ArchiveResult> {
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
  const queue: Promise<Loaded>[] = [];
  let next = 0;
  const fill = (): void => {
    while (queue.length < LOOKAHEAD && next < entries.length) {
      const p = load(root, entries[next++] as TreeEntry);
      p.catch(() => undefined); // rejections are seen when this entry's turn comes
      queue.push(p);
    }
  };
  try {
    fill();
    while (queue.length > 0) {
      const { entry, data, link } = await (queue.shift() as Promise<Loaded>);
      fill();
      if (entry.type === 'dir') {
        await sink.push(header(`${entry.path}/`, 'Directory', 0, 0o755, mtime));
      } else if (entry.type === 'symlink') {
        const target = link as string;
        await sink.push(header(entry.path, 'SymbolicLink', 0, 0o777, mtime, target));
        records.push({ path: entry.path, size: 0, sha256: sha256Text(target), mode: 0o777, link: target });
      } else {
        const mode = normalMode('file', entry.mode ?? 0o644);
        if (data !== undefined) {
          await sink.push(header(entry.path, 'File', data.length, mode, mtime));
          await sink.push(data);
          await sink.push(padding(data.length));
          records.push({ path: entry.path, size: data.length, sha256: createHash('sha256').update(data).digest('hex'), mode });
        } else {
          const fileSize = entry.size ?? 0;
          await sink.push(header(entry.path, 'File', fileSize, mode, mtime));
          const h = createHash('sha256');
          let seen = 0;
          for await (const chunk of createReadStream(`${root}/${entry.path}`, { highWaterMark: CHUNK })) {
            const buf = chunk as Buffer;
            h.update(buf);
            seen += buf.length;
            await sink.push(buf);
          }
          if (seen !== fileSize) throw new Error(`${entry.path} changed size while being archived`);
          await sink.push(padding(fileSize));
          records.push({ path: entry.path, size: fileSize, sha256: h.digest('hex'), mode });
        }
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
    gz.destroy(e instanceof Error ? e : new Error(String(e)));
    await written.catch(() => undefined);
    throw e;
  }
  return { sha256: hash.digest('hex'), size, records };
}
