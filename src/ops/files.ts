import { and, cmd, sh, type Command } from '../shell/command.js';
import { quote } from '../shell/quote.js';

/** The folder a path lives in (`/` for top-level paths). */
export function parentDir(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/**
 * Write stdin to `path` atomically: into a temp file beside it, then rename.
 * A half-written file never has the final name. `mode` is octal text (`'644'`).
 */
export function writeFileCommand(path: string, mode?: string): Command {
  const tmp = `${path}.ferry-tmp`;
  return and(
    cmd('mkdir', '-p', parentDir(path)),
    sh(`cat > ${quote(tmp)}`),
    ...(mode === undefined ? [] : [cmd('chmod', mode, tmp)]),
    cmd('mv', '-f', tmp, path),
  );
}

export function readFileCommand(path: string): Command {
  return cmd('cat', '--', path);
}
