import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';

/** Per-host log file under .ferry/logs/<run-id>/<host>.log (masked text only). */
export class HostLog {
  private readonly stream: WriteStream | undefined;

  constructor(dir: string | undefined, host: string) {
    if (!dir) return;
    mkdirSync(dir, { recursive: true });
    this.stream = createWriteStream(join(dir, `${host}.log`), { flags: 'a', mode: 0o600 });
  }

  line(text: string): void {
    // a command still in flight when its session closed (its connection lost) ends after the log
    // did: that late line has nowhere to go, and writing it would crash the run
    if (this.stream?.writableEnded) return;
    this.stream?.write(
      `${new Date().toISOString()} ${text.replace(/\n(?!$)/g, '\n    ')}${text.endsWith('\n') ? '' : '\n'}`,
    );
  }

  /** When more than 1 MiB waits to reach the file: a promise for when it has (a streamed command then waits). */
  behind(): Promise<void> | undefined {
    const s = this.stream;
    if (!s || s.writableLength < 1024 * 1024) return undefined;
    return new Promise((resolve) => s.once('drain', resolve));
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.stream ? this.stream.end(resolve) : resolve()));
  }
}
