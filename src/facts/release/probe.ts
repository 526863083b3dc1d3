import type { LockOwner } from '../../ops/release/lock-owner.js';
import { first, keyValues } from './key-values.js';
import { nodeRuntimeFact, pythonRuntimeFact, type HostRuntime } from '../../facts/runtime.js';

function safe<T>(f: () => T): T | null {
  try {
    return f();
  } catch {
    return null;
  }
}

export interface ProbeResult {
  /** unchanged: the host already ran this release and configs, so no lock was taken (a no-op deploy) */
  readonly lock: 'acquired' | 'held' | 'free' | 'unchanged';
  /** owner.json of a held lock (unparseable text kept as-is) */
  readonly owner?: LockOwner | string | undefined;
  /** release id `current` points to */
  readonly current?: string | undefined;
  readonly previous?: string | undefined;
  readonly releasePresent: boolean;
  /** releases/<id>/configs/<hash> exists for the probed config hash */
  readonly configsPresent: boolean;
  /** where releases/<id>/config points (configs/<hash>) */
  readonly configLink?: string | undefined;
  /** sha256 of the cached artifact as the host computed it, if the file exists */
  readonly cachedSha256?: string | undefined;
  readonly node?: HostRuntime['node'] | null;
  readonly python?: HostRuntime['python'] | null;
  readonly releases: readonly string[];
}

const stripReleases = (v: string | undefined) => v?.replace(/^(?:.*\/)?releases\//, '');

export function parseOwner(text: string | undefined): LockOwner | string | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as LockOwner;
  } catch {
    return text;
  }
}

export function parseProbe(stdout: string): ProbeResult {
  const kv = keyValues(stdout);
  const lock = first(kv, 'lock');
  const cache = first(kv, 'cache');
  return {
    lock: lock === 'acquired' || lock === 'held' || lock === 'unchanged' ? lock : 'free',
    owner: parseOwner(first(kv, 'owner')),
    current: stripReleases(first(kv, 'current')),
    previous: stripReleases(first(kv, 'previous')),
    releasePresent: first(kv, 'release') === 'present',
    configsPresent: first(kv, 'configs') === 'present',
    configLink: first(kv, 'config'),
    cachedSha256: cache && cache !== 'absent' ? cache : undefined,
    node: safe(() => nodeRuntimeFact.parse(first(kv, 'node') ?? 'null')),
    python: kv.has('python') ? pythonRuntimeFact('').parse(first(kv, 'python') ?? 'none') : undefined,
    releases: (first(kv, 'releases') ?? '').split(' ').filter(Boolean),
  };
}
