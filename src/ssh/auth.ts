import { readFile } from 'node:fs/promises';
// the default import: Node's ESM loader finds no named `utils` in ssh2's CommonJS exports
import ssh2, { type ParsedKey } from 'ssh2';
import type { SshTarget } from './target.js';

export type AuthMethod =
  | { type: 'agent'; username: string; agent: string }
  | { type: 'publickey'; username: string; key: ParsedKey | Buffer };

/**
 * Each identity file is read and parsed once per run, not once per host (ssh2 parses a Buffer
 * key on every connection: ~0.3 ms of CPU each). A key ssh2 cannot parse here (one with a
 * passphrase) stays a Buffer, and ssh2 skips it per connection as before.
 */
const keys = new Map<string, Promise<ParsedKey | Buffer | undefined>>();

function readKey(file: string): Promise<ParsedKey | Buffer | undefined> {
  let p = keys.get(file);
  if (!p) {
    p = readFile(file).then(
      (raw) => {
        const parsed = ssh2.utils.parseKey(raw);
        return parsed instanceof Error || Array.isArray(parsed) ? raw : parsed;
      },
      (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return undefined;
        keys.delete(file);
        throw err;
      },
    );
    keys.set(file, p);
  }
  return p;
}

/** The methods to try, in OpenSSH's order: agent first, then each identity file that exists. */
export async function authMethods(target: SshTarget): Promise<AuthMethod[]> {
  const methods: AuthMethod[] = [];
  if (target.agent) methods.push({ type: 'agent', username: target.user, agent: target.agent });
  for (const file of target.identityFiles) {
    const key = await readKey(file);
    if (key) methods.push({ type: 'publickey', username: target.user, key });
  }
  return methods;
}
