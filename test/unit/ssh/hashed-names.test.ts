import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type HashedName,
  HashedNames,
  parseHashedName,
  rememberAtExit,
  rememberedFor,
  writeRemembered,
} from '../../../src/ssh/hashed-names.js';
import { hashKnownHostsName } from '../../fleet/known-hosts.js';

/** `count` hashed known_hosts lines naming [10.0.0.i]:2222, each with its own salt (as OpenSSH writes them). */
function hashedLines(from: number, count: number): string {
  let text = '';
  for (let i = from; i < from + count; i++) {
    text += `${hashKnownHostsName(token(i), Buffer.alloc(20, i))} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${i}\n`;
  }
  return text;
}
const token = (i: number) => `[10.0.0.${i}]:2222`;
const namesOf = (text: string): HashedName[] =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => parseHashedName(l.split(' ')[0] ?? '') as HashedName);

const N = 50;
const dir = mkdtempSync(join(tmpdir(), 'ferry-hashed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One run's look-ups: every host of the file, as a run over the whole fleet makes them. */
function lookAll(names: HashedNames, hosts: number): number[][] {
  return Array.from({ length: hosts }, (_, i) => names.matching(token(i), false));
}

describe('hashed known_hosts names', () => {
  const file = join(dir, 'known_hosts');
  const cache = join(dir, 'cache');
  mkdirSync(cache);

  it('a first run pays an HMAC per host and name; the next run, given what it remembered, one per host', () => {
    const text = hashedLines(0, N);
    writeFileSync(file, text);
    const raw = readFileSync(file);
    const first = new HashedNames(namesOf(text));
    expect(lookAll(first, N)).toEqual(Array.from({ length: N }, (_, i) => [i]));
    expect(first.hmacs).toBe(N * N);
    rememberAtExit(file, raw, first);
    writeRemembered(cache);

    const second = new HashedNames(namesOf(text), rememberedFor(file, raw, cache));
    expect(lookAll(second, N)).toEqual(Array.from({ length: N }, (_, i) => [i]));
    expect(second.hmacs).toBe(N); // each remembered match checked again, nothing else
    expect(second.changed).toBe(false);
    // control: the same look-ups without the memo cost N × N again
    const control = new HashedNames(namesOf(text));
    lookAll(control, N);
    expect(control.hmacs).toBe(N * N);
  });

  it('lines appended since keep the memo: only the new names are scanned', () => {
    const text = hashedLines(0, N) + hashedLines(N, 2);
    writeFileSync(file, text);
    const raw = readFileSync(file);
    const names = new HashedNames(namesOf(text), rememberedFor(file, raw, cache));
    expect(lookAll(names, N + 2)).toEqual(Array.from({ length: N + 2 }, (_, i) => [i]));
    // N remembered hosts: their match checked + the 2 new names; the 2 new hosts: a full scan each
    expect(names.hmacs).toBe(N * 3 + 2 * (N + 2));
    expect(names.changed).toBe(true);
  });

  it('a file changed other than by appending drops the memo', () => {
    writeFileSync(file, hashedLines(0, N + 2));
    expect(rememberedFor(file, readFileSync(file), cache)).toBeDefined(); // control: appended to
    writeFileSync(file, hashedLines(1, N + 1)); // the first host's line removed (ssh-keygen -R)
    expect(rememberedFor(file, readFileSync(file), cache)).toBeUndefined();
  });

  it('a forged memo cannot make a name match, nor hide a host that one names', () => {
    const text = hashedLines(0, N);
    const raw = Buffer.from(text);
    const base = { bytes: raw.length, digest: '', hashed: N };
    // host 3 "matched" name 7: checked again, found false, so every name is scanned
    const forged = new HashedNames(namesOf(text), { ...base, tokens: new Map([[token(3), { upTo: N, hits: [7] }]]) });
    expect(forged.matching(token(3), false)).toEqual([3]);
    // host 4 "matched nothing", and no other entry names it: scanned before it is called unknown
    const hiding = new HashedNames(namesOf(text), { ...base, tokens: new Map([[token(4), { upTo: N, hits: [] }]]) });
    expect(hiding.matching(token(4), false)).toEqual([4]);
    expect(hiding.hmacs).toBe(N);
    // a memo that covers more names than the file has is ignored
    const beyond = new HashedNames(namesOf(text), { ...base, hashed: N + 1, tokens: new Map() });
    expect(beyond.matching(token(5), false)).toEqual([5]);
  });

  it('keys appended during a run: the next read starts from what the earlier one learned', () => {
    const kh = join(dir, 'known_hosts.run');
    const v1 = Buffer.from(hashedLines(0, N));
    const before = new HashedNames(namesOf(v1.toString()));
    lookAll(before, N);
    rememberAtExit(kh, v1, before);
    const v2 = Buffer.concat([v1, Buffer.from(hashedLines(N, 1))]); // one key appended
    const after = new HashedNames(namesOf(v2.toString()), rememberedFor(kh, v2, cache));
    expect(lookAll(after, N)).toEqual(Array.from({ length: N }, (_, i) => [i]));
    expect(after.hmacs).toBe(2 * N); // each host: its match checked, and the one new name
    expect(after.changed).toBe(true); // what `before` learned is not on disk yet
    rememberAtExit(kh, v2, after);
    writeRemembered(cache);
    expect(rememberedFor(kh, v2, cache)?.tokens.size).toBe(N);
  });

  it('a host nothing names stays unknown, at one full scan per run', () => {
    const text = hashedLines(0, N);
    const names = new HashedNames(namesOf(text));
    expect(names.matching('[10.9.9.9]:22', false)).toEqual([]);
    expect(names.hmacs).toBe(N);
  });
});
