import { quote } from '../../shell/quote.js';
import { and, cmd, sh } from '../../shell/command.js';
import { step, type Step } from '../step.js';
import { parentDir, writeFileCommand } from '../files.js';

/**
 * Replace a file's content atomically: the bytes travel on stdin into a temporary file next to
 * it, which is then renamed over the original (a reader never sees half a file).
 */
export function writeFileStep(id: string, title: string, path: string, content: string, mode = '644'): Step {
  return step(id, title, writeFileCommand(path, mode), { stdin: content });
}

/**
 * Append stdin to a file unless a line containing `marker` is already there
 * (for files that did not exist when probed).
 */
export function appendUnlessPresentStep(id: string, title: string, path: string, marker: string, line: string): Step {
  return step(
    id,
    title,
    and(
      cmd('mkdir', '-p', parentDir(path)),
      sh(`grep -qiF ${quote(marker)} ${quote(path)} 2>/dev/null || cat >> ${quote(path)}`),
    ),
    { stdin: line.endsWith('\n') ? line : `${line}\n` },
  );
}
