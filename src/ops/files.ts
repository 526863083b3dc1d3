import { and, cmd, type Command } from '../shell/command.js';
import { quote } from '../shell/quote.js';
import { step, type Step } from './step.js';

/**
 * Write stdin to `path` atomically: into a temp file beside it, then rename.
 * A half-written file never has the final name.
 */
export function writeFileCommand(path: string, mode?: number): Command {
  const tmp = `${path}.ferry-tmp`;
  return and(
    cmd('mkdir', '-p', dirnameOf(path)),
    { script: `cat > ${quote(tmp)}` },
    ...(mode === undefined ? [] : [cmd('chmod', mode.toString(8).padStart(4, '0'), tmp)]),
    cmd('mv', '-f', tmp, path),
  );
}

export function writeFileStep(path: string, content: string | Uint8Array, mode?: number): Step {
  return step(`write:${path}`, `write ${path}`, writeFileCommand(path, mode), { stdin: content });
}

export function readFileCommand(path: string): Command {
  return cmd('cat', '--', path);
}

function dirnameOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}
