import { HostKeyError } from '../errors/host-key-error.js';
import { fingerprint, keyType } from './host-key.js';
import { appendKnownHost, entriesFor, judgeHostKey, readKnownHosts } from './known-hosts.js';
import type { SshTarget } from './target.js';

export interface HostKeyCheck {
  /** key types known for this host, to offer first (like OpenSSH) */
  readonly preferredTypes: string[];
  /** ssh2's hostVerifier: records why a key was refused */
  verify(key: Buffer): boolean;
  /** the refusal, if the handshake was refused because of the host key */
  readonly refusal: () => HostKeyError | undefined;
  /** append an accepted new key to known_hosts (after the handshake) */
  readonly persist: () => Promise<void>;
}

/** Verify a host key against known_hosts: unknown → refused unless accept-new; changed → always refused. */
export async function hostKeyCheck(target: SshTarget): Promise<HostKeyCheck> {
  const entries = entriesFor(await readKnownHosts(target.knownHostsFile), target.host, target.port);
  let refusal: HostKeyError | undefined;
  let accepted: { type: string; key: Buffer } | undefined;
  return {
    preferredTypes: [...new Set(entries.map((e) => e.type))],
    verify(key: Buffer): boolean {
      const type = keyType(key);
      const verdict = judgeHostKey(entries, type, key);
      if (verdict.status === 'known') return true;
      const shown = `${type} ${fingerprint(key)}`;
      if (verdict.status === 'changed') {
        const known = verdict.known.map((e) => `${e.type} ${fingerprint(e.key)} (${target.knownHostsFile}:${e.line})`);
        refusal = new HostKeyError(
          target.name,
          `HOST KEY CHANGED for ${target.host}:${target.port}: presented ${shown}, known ${known.join(', ')}. ` +
            `Refusing to connect; if the change is expected, remove the old entry from ${target.knownHostsFile}.`,
          shown,
          known,
        );
        return false;
      }
      if (!target.acceptNewHostKeys) {
        refusal = new HostKeyError(
          target.name,
          `unknown host key for ${target.host}:${target.port} (${shown}), not in ${target.knownHostsFile}; ` +
            'verify it and pass --accept-new-host-keys to record it',
          shown,
        );
        return false;
      }
      accepted = { type, key };
      return true;
    },
    refusal: () => refusal,
    persist: async () => {
      if (accepted) await appendKnownHost(target.knownHostsFile, target.host, target.port, accepted.type, accepted.key);
    },
  };
}
