import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

/** The known_hosts host pattern OpenSSH uses: `addr` on port 22, `[addr]:port` otherwise. */
export function knownHostsName(address: string, port: number): string {
  return port === 22 ? address : `[${address}]:${port}`;
}

/** OpenSSH's hashed name `|1|base64(salt)|base64(HMAC-SHA1(salt, name))`. */
export function hashKnownHostsName(name: string, salt: Buffer = randomBytes(20)): string {
  const mac = createHmac('sha1', salt).update(name).digest();
  return `|1|${salt.toString('base64')}|${mac.toString('base64')}`;
}

export interface KnownHostEntry {
  address: string;
  port: number;
  /** `ssh-ed25519 AAAA…` */
  publicKey: string;
}

export function knownHostsText(entries: readonly KnownHostEntry[], hashed = false): string {
  return entries
    .map((e) => {
      const name = knownHostsName(e.address, e.port);
      return `${hashed ? hashKnownHostsName(name) : name} ${e.publicKey}\n`;
    })
    .join('');
}

export function writeKnownHosts(file: string, entries: readonly KnownHostEntry[], hashed = false): void {
  writeFileSync(file, knownHostsText(entries, hashed));
}

/** Write a hashed copy of a plain known_hosts file (each name → `|1|salt|hash`); returns `dest`. */
export function writeHashedKnownHosts(src: string, dest: string): string {
  const lines = readFileSync(src, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'));
  const hashed = lines.map((line) => {
    const [names = '', ...rest] = line.split(' ');
    // one hashed line per name: OpenSSH hashes each comma-separated name separately
    return names
      .split(',')
      .map((name) => `${hashKnownHostsName(name)} ${rest.join(' ')}\n`)
      .join('');
  });
  writeFileSync(dest, hashed.join(''));
  return dest;
}
