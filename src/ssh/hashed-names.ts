import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { privateCacheDir, writeCacheEntry } from '../project/user-cache.js';

/** A hashed known_hosts name (OpenSSH's HashKnownHosts): `|1|base64(salt)|base64(HMAC-SHA1(salt, token))`. */
export interface HashedName {
  readonly salt: Buffer;
  readonly hash: string;
}

export function parseHashedName(pattern: string): HashedName | undefined {
  const [, magic, salt, hash] = pattern.split('|');
  if (magic !== '1' || !salt || !hash) return undefined;
  return { salt: Buffer.from(salt, 'base64'), hash };
}

/** The hash part of a hashed name: base64(HMAC-SHA1(salt, token)). */
export function hashName(salt: Buffer, token: string): string {
  return createHmac('sha1', salt).update(token).digest('base64');
}

export function hashedNameMatches(name: HashedName, token: string): boolean {
  return hashName(name.salt, token) === name.hash;
}

/** What an earlier look found for one token: of the names before `upTo`, these matched. */
export interface Found {
  readonly upTo: number;
  readonly hits: readonly number[];
}

/**
 * What an earlier look at a file found: its first `bytes` bytes (sha256 `digest`) held `hashed`
 * hashed names, and each token it looked up matched these of them.
 */
export interface Remembered {
  readonly bytes: number;
  readonly digest: string;
  readonly hashed: number;
  readonly tokens: ReadonlyMap<string, Found>;
  /** learned in this process and not yet written */
  readonly unsaved?: boolean;
}

/**
 * The hashed names of one version of a known_hosts file, and which host tokens they name.
 *
 * A hashed name can only be tested by computing its HMAC for a token, so a run's M hosts against
 * a file of N hashed names cost M × N HMACs: at 1,000 hosts, a second or more of CPU, as much as
 * the whole run's SSH work. The answers are therefore remembered per file (see `rememberedFor`),
 * and a later run checks each remembered match again (one HMAC per host, so a stale or forged memo
 * never makes a name match) and scans only the names added since. When the memo says no hashed
 * name matches and nothing else in the file names the host either, every name is scanned before
 * the host is called unknown: a memo can cost a refusal, never an accepted key.
 */
export class HashedNames {
  readonly names: readonly HashedName[];
  /** HMACs computed so far (what the memo saves, counted) */
  hmacs = 0;
  private readonly found = new Map<string, Found>();
  private learned = false;

  constructor(names: readonly HashedName[], remembered?: Remembered) {
    this.names = names;
    if (!remembered || remembered.hashed > names.length) return;
    this.learned = remembered.unsaved === true;
    for (const [token, f] of remembered.tokens)
      if (f.upTo <= remembered.hashed && f.hits.every((i) => i < f.upTo)) this.found.set(token, f);
  }

  /** Indexes of the names that match `token`, in file order. `othersMatch`: plain or wildcard entries name it. */
  matching(token: string, othersMatch: boolean): number[] {
    const known = this.found.get(token);
    if (known !== undefined) {
      const hits = known.hits.filter((i) => this.test(i, token));
      const intact = hits.length === known.hits.length;
      for (let i = known.upTo; i < this.names.length; i++) if (this.test(i, token)) hits.push(i);
      if (intact && (hits.length > 0 || othersMatch)) {
        if (known.upTo < this.names.length) this.keep(token, hits);
        return hits;
      }
    }
    const hits: number[] = [];
    for (let i = 0; i < this.names.length; i++) if (this.test(i, token)) hits.push(i);
    this.keep(token, hits);
    return hits;
  }

  /** What to remember of this version, read from bytes with this length and sha256. */
  toRemember(bytes: number, digest: string): Remembered {
    return { bytes, digest, hashed: this.names.length, tokens: new Map(this.found) };
  }

  /** learned something a memo did not hold */
  get changed(): boolean {
    return this.learned;
  }

  private test(i: number, token: string): boolean {
    const name = this.names[i];
    if (!name) return false;
    this.hmacs += 1;
    return hashedNameMatches(name, token);
  }

  private keep(token: string, hits: readonly number[]): void {
    this.found.set(token, { upTo: this.names.length, hits });
    this.learned = true;
  }
}

// -- the memo on disk: ~/.cache/ferry/known-hosts/<file>.json, written when the process exits --

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const memoFile = (dir: string, file: string) => join(dir, `${sha256(Buffer.from(file)).slice(0, 24)}.json`);

/**
 * What is known of this version of `file` (its `raw` bytes) from an earlier version it extends:
 * one read earlier in this process (keys ferry appended during the run), else the memo on disk.
 */
export function rememberedFor(file: string, raw: Buffer, dir = privateCacheDir('known-hosts')): Remembered | undefined {
  const earlier = toWrite.get(file);
  if (earlier && earlier.raw.length <= raw.length && raw.subarray(0, earlier.raw.length).equals(earlier.raw))
    return { ...earlier.names.toRemember(earlier.raw.length, ''), unsaved: earlier.names.changed };
  if (!dir) return undefined;
  try {
    const j = JSON.parse(readFileSync(memoFile(dir, file), 'utf8')) as {
      bytes?: unknown;
      digest?: unknown;
      hashed?: unknown;
      tokens?: unknown;
    };
    const { bytes, digest, hashed, tokens } = j;
    if (typeof bytes !== 'number' || typeof digest !== 'string' || typeof hashed !== 'number') return undefined;
    if (typeof tokens !== 'object' || tokens === null || bytes > raw.length) return undefined;
    // lines appended since keep the memo; anything else changed drops it
    if (sha256(raw.subarray(0, bytes)) !== digest) return undefined;
    const map = new Map<string, Found>();
    for (const [token, f] of Object.entries(tokens as Record<string, unknown>)) {
      // stored as [upTo, ...hits]
      if (Array.isArray(f) && f.length > 0 && f.every((i) => Number.isInteger(i) && i >= 0)) {
        const [upTo, ...hits] = f as number[];
        map.set(token, { upTo: upTo as number, hits });
      }
    }
    return { bytes, digest, hashed, tokens: map };
  } catch {
    return undefined;
  }
}

/** Versions looked at in this process whose answers grew, by file: the last one is written at exit. */
const toWrite = new Map<string, { names: HashedNames; raw: Buffer }>();
let exitHook = false;

/** Remember `names` (read from `raw`, the bytes of `file`) when the process exits, if it learned anything. */
export function rememberAtExit(file: string, raw: Buffer, names: HashedNames): void {
  toWrite.set(file, { names, raw });
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => writeRemembered());
  }
}

/** Write what was learned (at exit; a cache that cannot be written just costs the next run its HMACs). */
export function writeRemembered(dir = privateCacheDir('known-hosts')): void {
  if (!dir) return;
  for (const [file, { names, raw }] of toWrite) {
    if (!names.changed) continue;
    const r = names.toRemember(raw.length, sha256(raw));
    try {
      writeCacheEntry(
        memoFile(dir, file),
        JSON.stringify({
          file,
          bytes: r.bytes,
          digest: r.digest,
          hashed: r.hashed,
          tokens: Object.fromEntries([...r.tokens].map(([t, f]) => [t, [f.upTo, ...f.hits]])),
        }),
      );
    } catch {
      // a full disk or a read-only home
    }
  }
  toWrite.clear();
}
