import { readFile } from 'node:fs/promises';
import type { SshTarget } from './target.js';

export type AuthMethod =
  | { type: 'agent'; username: string; agent: string }
  | { type: 'publickey'; username: string; key: Buffer };

/** Each identity file is read once per run, not once per host. */
const keys = new Map<string, Promise<Buffer | undefined>>();

function readKey(file: string): Promise<Buffer | undefined> {
  let p = keys.get(file);
  if (!p) {
    p = readFile(file).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      keys.delete(file);
      throw err;
    });
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
