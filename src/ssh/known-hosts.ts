import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  type HashedName,
  HashedNames,
  hashName,
  hashedNameMatches,
  parseHashedName,
  rememberAtExit,
  rememberedFor,
} from './hashed-names.js';

export interface KnownHostEntry {
  readonly patterns: string;
  readonly type: string;
  readonly key: Buffer;
  readonly line: number;
}

/** The name OpenSSH looks up: `host` on port 22, `[host]:port` otherwise. */
export function hostToken(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function globMatch(pattern: string, text: string): boolean {
  if (!/[*?]/.test(pattern)) return pattern.toLowerCase() === text.toLowerCase(); // the usual case
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
  return re.test(text);
}

/** Does a known_hosts pattern list (`a,b,!c` or `|1|salt|hash`) match this host token? */
export function patternsMatch(patterns: string, token: string): boolean {
  if (patterns.startsWith('|')) {
    const name = parseHashedName(patterns);
    return name !== undefined && hashedNameMatches(name, token);
  }
  let matched = false;
  for (const p of patterns.split(',')) {
    if (p.startsWith('!')) {
      if (globMatch(p.slice(1), token)) return false;
    } else if (globMatch(p, token)) matched = true;
  }
  return matched;
}

/** Parse a known_hosts file; markers (@revoked, @cert-authority) and malformed lines are skipped. */
export function parseKnownHosts(text: string): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('@')) return;
    const [patterns, type, key] = line.split(/\s+/);
    if (!patterns || !type || !key) return;
    out.push({ patterns, type, key: Buffer.from(key, 'base64'), line: i + 1 });
  });
  return out;
}

/**
 * Entries by their literal names (`a,b`: no wildcard, negation or hash), those with wildcards or
 * negations (matched one by one), and the hashed ones (see hashed-names.ts).
 */
interface Index {
  readonly byName: Map<string, KnownHostEntry[]>;
  readonly globbed: readonly KnownHostEntry[];
  readonly hashed: readonly KnownHostEntry[];
  readonly hashedNames: HashedNames;
}
const indexes = new WeakMap<readonly KnownHostEntry[], Index>();
/** the file and bytes a parse came from (readKnownHosts): its hashed names' answers are remembered */
const sources = new WeakMap<readonly KnownHostEntry[], { file: string; raw: Buffer }>();

function indexOf(entries: readonly KnownHostEntry[]): Index {
  let index = indexes.get(entries);
  if (!index) {
    const byName = new Map<string, KnownHostEntry[]>();
    const globbed: KnownHostEntry[] = [];
    const hashed: KnownHostEntry[] = [];
    const names: HashedName[] = [];
    for (const e of entries) {
      if (e.patterns.startsWith('|')) {
        const name = parseHashedName(e.patterns);
        if (name) {
          hashed.push(e);
          names.push(name);
        }
      } else if (/[*?!]/.test(e.patterns)) globbed.push(e);
      else
        for (const name of new Set(e.patterns.toLowerCase().split(',')))
          byName.set(name, [...(byName.get(name) ?? []), e]);
    }
    const source = sources.get(entries);
    const hashedNames = new HashedNames(
      names,
      source && names.length ? rememberedFor(source.file, source.raw) : undefined,
    );
    if (source && names.length) rememberAtExit(source.file, source.raw, hashedNames);
    index = { byName, globbed, hashed, hashedNames };
    indexes.set(entries, index);
  }
  return index;
}

/**
 * The entries naming this host, in file order. Literal names are looked up in an index built
 * once per parsed file: a run checks N hosts against one file, and N × N pattern matches were
 * a measurable share of ferry's CPU at 200 hosts. Wildcards and negations are matched one by
 * one; hashed names through what earlier runs found (hashed-names.ts).
 */
export function entriesFor(entries: readonly KnownHostEntry[], host: string, port: number): KnownHostEntry[] {
  const token = hostToken(host, port);
  const { byName, globbed, hashed, hashedNames } = indexOf(entries);
  const named = byName.get(token.toLowerCase()) ?? [];
  const scanned = globbed.filter((e) => patternsMatch(e.patterns, token));
  const fromHashed = hashed.length
    ? hashedNames.matching(token, named.length + scanned.length > 0).map((i) => hashed[i] as KnownHostEntry)
    : [];
  const others = [...scanned, ...fromHashed];
  return others.length ? [...named, ...others].sort((a, b) => a.line - b.line) : named;
}

/** HMACs spent so far on this parse's hashed names (what remembering them saves). */
export function hmacsSpent(entries: readonly KnownHostEntry[]): number {
  return indexes.get(entries)?.hashedNames.hmacs ?? 0;
}

export type HostKeyVerdict =
  | { status: 'known' }
  | { status: 'unknown' }
  | { status: 'changed'; known: KnownHostEntry[] };

/** OpenSSH's rule: a key of the same type that differs is a changed key; no entry at all is unknown. */
export function judgeHostKey(entries: readonly KnownHostEntry[], type: string, key: Buffer): HostKeyVerdict {
  if (entries.some((e) => e.type === type && e.key.equals(key))) return { status: 'known' };
  if (entries.length === 0) return { status: 'unknown' };
  return { status: 'changed', known: [...entries] };
}

/**
 * Parsed once per file version (every host of a run checks against the same file), and the
 * version (a stat) looked at most every VERSION_MS: the 100 handshakes a run starts at once wait
 * on one stat in flight, and the next ones reuse its answer, instead of making one stat each. A
 * key ferry appends drops the cached copy at once, and a look started before it is not kept.
 */
const parsed = new Map<string, { version: string; checked: number; entries: Promise<KnownHostEntry[]> }>();
const looking = new Map<string, Promise<KnownHostEntry[]>>();
/** bumped by each append: a look that began before one does not cache what it found */
let appends = 0;
const VERSION_MS = 1000;

export function readKnownHosts(file: string): Promise<KnownHostEntry[]> {
  const hit = parsed.get(file);
  if (hit && performance.now() - hit.checked < VERSION_MS) return hit.entries;
  const inFlight = looking.get(file);
  if (inFlight !== undefined) return inFlight;
  const look: Promise<KnownHostEntry[]> = lookAgain(file).finally(() => {
    if (looking.get(file) === look) looking.delete(file);
  });
  looking.set(file, look);
  return look;
}

async function lookAgain(file: string): Promise<KnownHostEntry[]> {
  const generation = appends;
  let version: string;
  try {
    const st = await stat(file);
    version = `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const now = parsed.get(file);
  if (now?.version === version) {
    now.checked = performance.now();
    return now.entries;
  }
  const entries = readFile(file).then((raw) => {
    const parsed = parseKnownHosts(raw.toString('utf8'));
    sources.set(parsed, { file, raw });
    return parsed;
  });
  if (generation === appends) {
    parsed.set(file, { version, checked: performance.now(), entries });
    entries.catch(() => parsed.delete(file));
  }
  return entries;
}

/** Record a newly accepted key (hashed, like OpenSSH's HashKnownHosts). */
export async function appendKnownHost(
  file: string,
  host: string,
  port: number,
  type: string,
  key: Buffer,
): Promise<void> {
  const salt = randomBytes(20);
  const hash = hashName(salt, hostToken(host, port));
  await mkdir(dirname(file), { recursive: true });
  await appendFile(file, `|1|${salt.toString('base64')}|${hash} ${type} ${key.toString('base64')}\n`, { mode: 0o600 });
  appends += 1;
  parsed.delete(file);
  looking.delete(file);
}
