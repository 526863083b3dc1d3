import { and, cmd, sh, type Command } from '../../shell/command.js';
import { quote } from '../../shell/quote.js';
import { parentDir } from '../files.js';

/** `owner:group`, `owner`, `:group`, or undefined when neither is managed. */
export function chownSpec(owner: string | undefined, group: string | undefined): string | undefined {
  if (owner === undefined && group === undefined) return undefined;
  return group === undefined ? (owner as string) : `${owner ?? ''}:${group}`;
}

/**
 * Write stdin to `path` atomically: a temp file beside it gets the bytes, the mode and the owner,
 * then is renamed over the path (a reader never sees half a file, nor a moment of a wrong mode).
 */
export function atomicWrite(path: string, mode: string, owner?: string, group?: string): Command {
  const tmp = `${path}.ferry-tmp`;
  const who = chownSpec(owner, group);
  return and(
    cmd('mkdir', '-p', parentDir(path)),
    sh(`cat > ${quote(tmp)}`),
    cmd('chmod', mode, tmp),
    ...(who === undefined ? [] : [cmd('chown', who, tmp)]),
    cmd('mv', '-f', tmp, path),
  );
}
