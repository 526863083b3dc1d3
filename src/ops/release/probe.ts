import { quote } from '../../shell/quote.js';
import { render, type Command } from '../../shell/command.js';
import { nodeRuntimeFact, pythonRuntimeFact } from '../../facts/runtime.js';
import type { LockOwner } from './lock-owner.js';
import type { ReleasePaths } from './paths.js';

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
}

/**
 * One round trip: (optionally) take the lock, then report what the host has:
 * lock, current, previous, the release, the cached artifact's real sha256, node and arch.
 */
export function probeCommand(i: ProbeInput): Command {
  const p = i.paths;
  const q = quote;
  const lines: string[] = [];
  if (i.lockAs) {
    const takeLock =
      `if mkdir ${q(p.lock)} 2>/dev/null; then printf '%s\\n' ${q(JSON.stringify(i.lockAs))} > ${q(p.owner)} && echo lock=acquired || exit 70; ` +
      `else echo lock=held && printf 'owner=%s\\n' "$(tr -d '\\n' < ${q(p.owner)} 2>/dev/null)"; fi`;
    if (i.unchangedHistory && i.configHash) {
      // all shell builtins (test's -ef: same file once symlinks are followed): a no-op redeploy
      // costs the host no process but the shell, and answers with nothing more
      const live =
        `[ -L ${q(p.current)} ] && [ ${q(p.current)} -ef ${q(p.release(i.id))} ] && ` +
        `[ -L ${q(`${p.release(i.id)}/config`)} ] && [ ${q(`${p.release(i.id)}/config`)} -ef ${q(`${p.release(i.id)}/configs/${i.configHash}`)} ] && [ ! -d ${q(p.lock)} ]`;
      const record = `{ [ -d ${q(p.state)} ] || mkdir -p ${q(p.state)}; } && printf '%s\\n' ${q(i.unchangedHistory)} >> ${q(p.history)}`;
      lines.push(`if ${live}; then ${record} && echo lock=unchanged && exit 0; fi`);
    }
    lines.push(`mkdir -p ${q(p.releases)} ${q(p.shared)} ${q(p.cacheDir)} || exit 70`, takeLock);
  } else {
    lines.push(`if [ -d ${q(p.lock)} ]; then echo lock=held && printf 'owner=%s\\n' "$(tr -d '\\n' < ${q(p.owner)} 2>/dev/null)"; else echo lock=free; fi`);
  }
  lines.push(
    `printf 'current=%s\\n' "$(readlink ${q(p.current)} 2>/dev/null)"`,
    `printf 'previous=%s\\n' "$(readlink ${q(p.previous)} 2>/dev/null)"`,
    // the cached artifact is hashed only when the release still has to be staged from it
    `if [ -d ${q(p.release(i.id))} ]; then echo release=present${
      i.sha256
        ? `; elif [ -f ${q(p.cacheFile(i.sha256))} ]; then echo release=absent && printf 'cache=%s\\n' "$(sha256sum < ${q(p.cacheFile(i.sha256))} | cut -d' ' -f1)"`
        : ''
    }; else echo release=absent; fi`,
    ...(i.configHash
      ? [
          `if [ -d ${q(`${p.release(i.id)}/configs/${i.configHash}`)} ]; then echo configs=present; else echo configs=absent; fi`,
          `printf 'config=%s\\n' "$(readlink ${q(`${p.release(i.id)}/config`)} 2>/dev/null)"`,
        ]
      : []),
    // the runtime matters only when a release is about to be staged (deploy, release not there yet)
    ...(i.sha256
      ? [
          `if [ ! -d ${q(p.release(i.id))} ]; then printf 'node=%s\\n' "$(${render(nodeRuntimeFact.command, { masked: false })})"${
            i.python ? ` && printf 'python=%s\\n' "$(${render(pythonRuntimeFact(i.python).command, { masked: false })})"` : ''
          }; fi`,
        ]
      : []),
    `printf 'releases=%s\\n' "$(cd ${q(p.releases)} 2>/dev/null && ls -1 | grep -v '\\.partial$' | tr '\\n' ' ')"`,
  );
  return { script: lines.join('\n') };
}
