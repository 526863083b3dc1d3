import type { Fact } from '../../facts/fact.js';
import { nodeRuntimeFact, pythonRuntimeFact, type HostRuntime } from '../../facts/runtime.js';
import { render } from '../../shell/command.js';
import { quote } from '../../shell/quote.js';
import { appendHistoryScript } from './history.js';
import { first, keyValues } from './key-values.js';
import {
  acquireLockScript,
  deniedScript,
  lockStatusScript,
  lockTempPath,
  parseOwner,
  type LockOwner,
  type OwnerSeen,
} from './lock.js';
import { releaseIdOf, type ReleasePaths } from './paths.js';

export interface ProbeInput {
  readonly paths: ReleasePaths;
  readonly id: string;
  /** the artifact to look for in the cache (deploy only) */
  readonly sha256?: string | undefined;
  /** take the lock (mkdir) in the same round trip; absent in --dry-run and read-only commands */
  readonly lockAs?: LockOwner;
  /** this host's rendered config set: is releases/<id>/configs/<hash> there, and is it the live one? */
  readonly configHash?: string | undefined;
  /** the venv's interpreter, to report its version (python bundles) */
  readonly python?: string | undefined;
  /**
   * Deploy only: a history line to append — instead of taking the lock — when the host already
   * runs this release with this config set and nobody holds the lock (a no-op, one round trip).
   */
  readonly unchangedHistory?: string | undefined;
  /**
   * With `lockAs`: before taking the lock, check that the service steps can run as root (sudo
   * unless the SSH user is root) — a deploy user without the sudo right is refused before anything
   * is locked, staged or switched.
   */
  readonly rootCheck?: boolean | undefined;
}

export interface ProbeResult {
  /**
   * unchanged: the host already ran this release and configs, so no lock was taken (a no-op deploy);
   * denied: the SSH user may not create the release store or the lock (`denied` says why);
   * no-root: the service steps cannot run as root (sudo refused: its words are on stderr)
   */
  readonly lock: 'acquired' | 'held' | 'free' | 'unchanged' | 'denied' | 'no-root';
  /** who the SSH user is on the host (denied, no-root) */
  readonly user?: string | undefined;
  /** the failing command's own message (denied) */
  readonly denied?: string | undefined;
  /** owner.json of a held lock (unparseable text kept as-is) */
  readonly owner?: OwnerSeen;
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

/**
 * The release probe, one round trip: (optionally) take the lock, then report what the host has —
 * lock, current, previous, the release, the cached artifact's real sha256, node and python.
 * Unlike most facts it may write: with `lockAs` it takes the lock (or records a no-op deploy).
 */
export function releaseProbe(i: ProbeInput): Fact<ProbeResult> {
  return { name: 'release-probe', command: { script: probeScript(i) }, parse: parseProbe };
}

function probeScript(i: ProbeInput): string {
  const p = i.paths;
  const q = quote;
  const release = p.release(i.id);
  const lines: string[] = [];
  if (i.lockAs) {
    if (i.unchangedHistory && i.configHash) {
      // all shell builtins (test's -ef: same file once symlinks are followed): a no-op redeploy
      // costs the host no process but the shell, and answers with nothing more
      const config = q(`${release}/config`);
      const live =
        `[ -L ${q(p.current)} ] && [ ${q(p.current)} -ef ${q(release)} ] && ` +
        `[ -L ${config} ] && [ ${config} -ef ${q(`${release}/configs/${i.configHash}`)} ] && [ ! -d ${q(p.lock)} ]`;
      lines.push(`if ${live}; then ${appendHistoryScript(p, i.unchangedHistory)} && echo lock=unchanged && exit 0; fi`);
    }
    const dirs = [p.releases, p.shared, p.cacheDir].map(q).join(' ');
    lines.push(`if ! e="$(mkdir -p ${dirs} 2>&1)"; then ${deniedScript()}; fi`);
    let rootCheck: string | undefined;
    if (i.rootCheck) {
      // sudo's prompt and refusal flow on stderr (the session answers the prompt): never redirected
      const asRoot = render({ script: 'true', asRoot: true }, { masked: false });
      const give = `rm -rf ${q(lockTempPath(p, i.lockAs))}`;
      rootCheck = `if ${asRoot}; then :; else ${give} && printf 'lock=no-root\\nwho=%s\\n' "$(id -un)" && exit 0; fi`;
    }
    lines.push(acquireLockScript(p, i.lockAs, rootCheck));
  } else {
    lines.push(lockStatusScript(p));
  }
  const cache = i.sha256 ? p.cacheFile(i.sha256) : undefined;
  lines.push(
    `printf 'current=%s\\n' "$(readlink ${q(p.current)} 2>/dev/null)"`,
    `printf 'previous=%s\\n' "$(readlink ${q(p.previous)} 2>/dev/null)"`,
    // the cached artifact is hashed only when the release still has to be staged from it
    `if [ -d ${q(release)} ]; then echo release=present${
      cache
        ? `; elif [ -f ${q(cache)} ]; then echo release=absent && ` +
          `printf 'cache=%s\\n' "$(sha256sum < ${q(cache)} | cut -d' ' -f1)"`
        : ''
    }; else echo release=absent; fi`,
    ...(i.configHash
      ? [
          `if [ -d ${q(`${release}/configs/${i.configHash}`)} ]; then echo configs=present; ` +
            'else echo configs=absent; fi',
          `printf 'config=%s\\n' "$(readlink ${q(`${release}/config`)} 2>/dev/null)"`,
        ]
      : []),
    // the runtime matters only when a release is about to be staged (deploy, release not there yet)
    ...(i.sha256 ? [`if [ ! -d ${q(release)} ]; then ${runtimeScript(i.python)}; fi`] : []),
    `printf 'releases=%s\\n' "$(cd ${q(p.releases)} 2>/dev/null && ls -1 | grep -v '\\.partial$' | tr '\\n' ' ')"`,
  );
  return lines.join('\n');
}

/** `node=…` and (python bundles) `python=…`, from the runtime facts' own commands. */
function runtimeScript(python: string | undefined): string {
  const of = (c: Fact<unknown>) => render(c.command, { masked: false });
  const node = `printf 'node=%s\\n' "$(${of(nodeRuntimeFact)})"`;
  return python ? `${node} && printf 'python=%s\\n' "$(${of(pythonRuntimeFact(python))})"` : node;
}

function safe<T>(f: () => T): T | null {
  try {
    return f();
  } catch {
    return null;
  }
}

function parseProbe(stdout: string): ProbeResult {
  const kv = keyValues(stdout);
  const lock = first(kv, 'lock');
  const cache = first(kv, 'cache');
  const known = ['acquired', 'held', 'unchanged', 'denied', 'no-root'] as const;
  return {
    lock: known.find((k) => k === lock) ?? 'free',
    user: first(kv, 'who'),
    denied: first(kv, 'denied')?.trim(),
    owner: parseOwner(first(kv, 'owner')),
    current: releaseIdOf(first(kv, 'current')),
    previous: releaseIdOf(first(kv, 'previous')),
    releasePresent: first(kv, 'release') === 'present',
    configsPresent: first(kv, 'configs') === 'present',
    configLink: first(kv, 'config'),
    cachedSha256: cache && cache !== 'absent' ? cache : undefined,
    node: safe(() => nodeRuntimeFact.parse(first(kv, 'node') ?? 'null')),
    python: kv.has('python') ? pythonRuntimeFact('').parse(first(kv, 'python') ?? 'none') : undefined,
    releases: (first(kv, 'releases') ?? '').split(' ').filter(Boolean),
  };
}
