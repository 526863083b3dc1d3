import { UsageError } from '../../errors/usage-error.js';

/** Where everything of one app lives on a host (DESIGN.md "On a host"). */
export interface ReleasePaths {
  readonly root: string;
  readonly releases: string;
  readonly current: string;
  readonly previous: string;
  readonly shared: string;
  readonly state: string;
  readonly cacheDir: string;
  readonly lock: string;
  readonly owner: string;
  readonly history: string;
  release(id: string): string;
  partial(id: string): string;
  cacheFile(sha256: string): string;
}

const SAFE = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

/** Ids and names end up in paths: only a safe alphabet is accepted. */
function assertSafeName(kind: string, value: string): void {
  if (!SAFE.test(value) || value.includes('..')) throw new UsageError(`invalid ${kind} "${value}"`);
}

export function releasePaths(root: string): ReleasePaths {
  if (!root.startsWith('/') || root.length < 2 || root.includes('..'))
    throw new UsageError(`deploy path must be absolute: "${root}"`);
  const r = root.replace(/\/+$/, '');
  const state = `${r}/.ferry`;
  return {
    root: r,
    releases: `${r}/releases`,
    current: `${r}/current`,
    previous: `${r}/previous`,
    shared: `${r}/shared`,
    state,
    cacheDir: `${state}/bundles`,
    lock: `${state}/lock`,
    owner: `${state}/lock/owner.json`,
    history: `${state}/history.jsonl`,
    release: (id) => {
      assertSafeName('release id', id);
      return `${r}/releases/${id}`;
    },
    partial: (id) => {
      assertSafeName('release id', id);
      return `${r}/releases/${id}.partial`;
    },
    cacheFile: (sha) => {
      if (!/^[0-9a-f]{64}$/.test(sha)) throw new UsageError(`invalid sha256 "${sha}"`);
      return `${state}/bundles/${sha}.tar.gz`;
    },
  };
}

/** The release id a `current`/`previous` link target names (`releases/<id>`, relative or absolute). */
export function releaseIdOf(target: string | undefined): string | undefined {
  return target?.replace(/^(?:.*\/)?releases\//, '');
}
