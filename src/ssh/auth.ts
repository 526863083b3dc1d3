import { readFile } from 'node:fs/promises';
import type { SshTarget } from './target.js';

export type AuthMethod =
  | { type: 'agent'; username: string; agent: string }
  | { type: 'publickey'; username: string; key: Buffer };

/** The methods to try, in OpenSSH's order: agent first, then each identity file that exists. */
export async function authMethods(target: SshTarget): Promise<AuthMethod[]> {
  const methods: AuthMethod[] = [];
  if (target.agent) methods.push({ type: 'agent', username: target.user, agent: target.agent });
  for (const file of target.identityFiles) {
    try {
      methods.push({ type: 'publickey', username: target.user, key: await readFile(file) });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return methods;
}
