import { quote } from '../../shell/quote.js';
import { and, cmd, sh } from '../../shell/command.js';
import { step, type Step } from '../step.js';

function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/**
 * Replace a file's content atomically: the bytes travel on stdin into a temporary file next to
 * it, which is then renamed over the original (a reader never sees half a file).
 */
export function writeFileStep(id: string, title: string, path: string, content: string, mode = '644'): Step {
  const tmp = `${path}.ferry-tmp`;
  return step(
    id,
    title,
    and(cmd('mkdir', '-p', dirname(path)), sh(`cat > ${quote(tmp)}`), cmd('chmod', mode, tmp), cmd('mv', '-f', tmp, path)),
    { stdin: content },
  );
}

/** Append stdin to a file unless a line containing `marker` is already there (for files that did not exist when probed). */
export function appendUnlessPresentStep(id: string, title: string, path: string, marker: string, line: string): Step {
  return step(
    id,
    title,
    and(
      cmd('mkdir', '-p', dirname(path)),
      sh(`grep -qiF ${quote(marker)} ${quote(path)} 2>/dev/null || cat >> ${quote(path)}`),
    ),
    { stdin: line.endsWith('\n') ? line : `${line}\n` },
  );
}
