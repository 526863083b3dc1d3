import { createHmac } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import {
  appendKnownHost,
  entriesFor,
  hostToken,
  judgeHostKey,
  parseKnownHosts,
  patternsMatch,
  readKnownHosts,
} from '../../../src/ssh/known-hosts.js';
import { fingerprint, keyType } from '../../../src/ssh/host-key.js';

const blob = (type: string, body: string) => {
  const t = Buffer.from(type);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(t.length);
  return Buffer.concat([len, t, Buffer.from(body)]);
};
const K1 = blob('ssh-ed25519', 'key-one');
const K2 = blob('ssh-ed25519', 'key-two');
const R1 = blob('ssh-rsa', 'rsa-key');

function hashed(token: string): string {
  const salt = Buffer.from('0123456789abcdef0123');
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(token).digest('base64')}`;
}

describe('known_hosts', () => {
  const text = [
    '# comment',
    `web1,10.0.0.11 ssh-ed25519 ${K1.toString('base64')}`,
    `[10.0.0.12]:2222 ssh-ed25519 ${K2.toString('base64')}`,
    `${hashed('[db.example]:2200')} ssh-rsa ${R1.toString('base64')}`,
    `*.lan,!bad.lan ssh-ed25519 ${K1.toString('base64')}`,
    `@revoked web1 ssh-ed25519 ${K2.toString('base64')}`,
    'garbage',
  ].join('\n');
  const entries = parseKnownHosts(text);

  it('uses [host]:port for non-22 ports', () => {
    expect(hostToken('h', 22)).toBe('h');
    expect(hostToken('h', 2222)).toBe('[h]:2222');
  });

  it('matches plain, comma-listed, wildcard, negated and hashed patterns', () => {
    expect(entriesFor(entries, 'web1', 22)).toHaveLength(1);
    expect(entriesFor(entries, '10.0.0.11', 22)).toHaveLength(1);
    expect(entriesFor(entries, '10.0.0.12', 2222)).toHaveLength(1);
    expect(entriesFor(entries, '10.0.0.12', 22)).toHaveLength(0);
    expect(entriesFor(entries, 'db.example', 2200)).toHaveLength(1);
    expect(entriesFor(entries, 'x.lan', 22)).toHaveLength(1);
    expect(patternsMatch('*.lan,!bad.lan', 'bad.lan')).toBe(false);
  });

  it('the indexed lookup finds what a scan of every pattern finds, in file order', () => {
    const mixed = parseKnownHosts(
      [
        `*.lan ssh-rsa ${R1.toString('base64')}`,
        `Web1.LAN,web1 ssh-ed25519 ${K1.toString('base64')}`,
        `${hashed('web1.lan')} ssh-ed25519 ${K2.toString('base64')}`,
        `web1.lan ssh-ed25519 ${K2.toString('base64')}`,
        `*,!web1.lan ssh-ed25519 ${K1.toString('base64')}`,
      ].join('\n'),
    );
    for (const host of ['web1.lan', 'WEB1.lan', 'web1', 'web2.lan', 'other']) {
      const scan = mixed.filter((e) => patternsMatch(e.patterns, hostToken(host, 22)));
      expect(entriesFor(mixed, host, 22), host).toEqual(scan);
    }
    expect(entriesFor(mixed, 'web1.lan', 22).map((e) => e.line)).toEqual([1, 2, 3, 4]);
  });

  it('judges known, unknown and changed keys like OpenSSH', () => {
    expect(judgeHostKey(entriesFor(entries, 'web1', 22), 'ssh-ed25519', K1).status).toBe('known');
    expect(judgeHostKey(entriesFor(entries, 'web1', 22), 'ssh-ed25519', K2).status).toBe('changed');
    expect(judgeHostKey(entriesFor(entries, 'nobody', 22), 'ssh-ed25519', K2).status).toBe('unknown');
  });

  it('reads key types and fingerprints from the blob', () => {
    expect(keyType(K1)).toBe('ssh-ed25519');
    expect(fingerprint(K1)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });
});

describe('readKnownHosts', () => {
  it('100 handshakes starting at once share one parse of the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-kh-'));
    try {
      const file = join(dir, 'known_hosts');
      writeFileSync(file, `[10.0.0.12]:2222 ssh-ed25519 ${K2.toString('base64')}\n`);
      const all = await Promise.all(Array.from({ length: 100 }, () => readKnownHosts(file)));
      expect(all[0]).toHaveLength(1);
      // one parse: the very same entries for every caller (a read each would give 100 arrays)
      expect(new Set(all).size).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a key appended while a read is in flight is seen by the next read, within the cache window too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-kh-'));
    try {
      const file = join(dir, 'known_hosts');
      writeFileSync(file, `[10.0.0.12]:2222 ssh-ed25519 ${K2.toString('base64')}\n`);
      const before = readKnownHosts(file);
      await appendKnownHost(file, '10.0.0.13', 2222, 'ssh-ed25519', K1);
      expect(await readKnownHosts(file)).toHaveLength(2);
      expect((await before).length).toBeGreaterThanOrEqual(1);
      // the read begun before the append must not have cached its older view
      expect(entriesFor(await readKnownHosts(file), '10.0.0.13', 2222)).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('hashed known_hosts across runs', () => {
  it('a later run finds the same entries through what an earlier one remembered', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-kh-'));
    const xdg = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = join(dir, 'cache');
    try {
      const file = join(dir, 'known_hosts');
      // hashed entries, as ferry itself (and OpenSSH's HashKnownHosts) writes them
      for (let i = 0; i < 20; i++) await appendKnownHost(file, `10.0.1.${i}`, 2222, 'ssh-ed25519', i % 2 ? K1 : K2);
      const run = async () => {
        vi.resetModules(); // a new process: nothing parsed or remembered in memory
        const kh = await import('../../../src/ssh/known-hosts.js');
        const memo = await import('../../../src/ssh/hashed-names.js');
        const entries = await kh.readKnownHosts(file);
        const found = Array.from({ length: 21 }, (_, i) => kh.entriesFor(entries, `10.0.1.${i}`, 2222));
        memo.writeRemembered(); // what the process does at exit
        return { lines: found.map((f) => f.map((e) => e.line)), hmacs: kh.hmacsSpent(entries) };
      };
      const first = await run();
      expect(first.lines).toEqual([...Array.from({ length: 20 }, (_, i) => [i + 1]), []]);
      expect(first.hmacs).toBe(21 * 20);
      expect(readdirSync(join(dir, 'cache', 'ferry', 'known-hosts'))).toHaveLength(1);
      const second = await run();
      expect(second.lines).toEqual(first.lines);
      // one check per remembered host, and a full scan for the one nothing names
      expect(second.hmacs).toBe(20 + 20);
    } finally {
      if (xdg === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = xdg;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
