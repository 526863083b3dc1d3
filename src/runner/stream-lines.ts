import { maskText } from '../shell/secret.js';
import type { HostLog } from './host-log.js';
import { LineSplitter } from './line-splitter.js';

export type OutputStream = 'stdout' | 'stderr';

/**
 * Line splitters for one streamed command's stdout and stderr: each whole line to `onLine`
 * (stdout masked here; stderr comes masked from remote-exec), and each chunk's lines to the host
 * log as they come (`toLog`, called after each chunk), so the log holds all of the output while
 * memory holds only its tail.
 */
export function streamLines(
  secrets: readonly string[],
  onLine: (line: string, stream: OutputStream) => void,
  log: HostLog,
) {
  let batch: string[] = [];
  const out = new LineSplitter((l) => {
    const masked = maskText(l, secrets);
    batch.push(masked);
    onLine(masked, 'stdout');
  });
  const err = new LineSplitter((l) => {
    batch.push(`stderr: ${l}`);
    onLine(l, 'stderr');
  });
  const toLog = () => {
    if (batch.length === 0) return;
    log.line(batch.join('\n'));
    batch = [];
  };
  return {
    out,
    err,
    toLog,
    end() {
      out.end();
      err.end();
      toLog();
    },
  };
}
