import { constants } from 'node:os';
import type { Client, ClientChannel, PseudoTtyOptions } from 'ssh2';

export interface InteractiveRequest {
  /** a command to run (exec); none: the user's login shell (a `shell` session, like `ssh host`) */
  readonly command?: string;
  /** a pseudo-terminal of the local terminal's size, resized with it; default: when stdin is a TTY */
  readonly tty?: boolean;
}

/** The remote end's exit as a shell reports it: the code, 128 + signal number, or 255 (ssh's "no status"). */
function exitCodeOf(code: number | null | undefined, signal: string | undefined): number {
  if (typeof code === 'number') return code;
  const n = signal ? constants.signals[`SIG${signal}` as keyof typeof constants.signals] : undefined;
  return n ? 128 + n : 255;
}

function ptyOf(): PseudoTtyOptions {
  return {
    term: process.env.TERM || 'xterm-256color',
    rows: process.stdout.rows || 24,
    cols: process.stdout.columns || 80,
  };
}

/**
 * An interactive session on the terminal ferry runs in, as `ssh [-t] host [command]` gives: the
 * local terminal in raw mode (keys, Ctrl-C included, go to the remote side), a remote PTY with
 * the local size, resized on SIGWINCH; output written as it comes. Resolves with the exit code.
 */
export function interactiveChannel(client: Client, req: InteractiveRequest): Promise<number> {
  const tty = req.tty ?? Boolean(process.stdin.isTTY);
  const pty = tty ? ptyOf() : undefined;
  return new Promise((resolve, reject) => {
    const opened = (err: Error | undefined, channel: ClientChannel) => {
      if (err) return reject(err);
      const stdin = process.stdin;
      const raw = tty && stdin.isTTY;
      if (raw) stdin.setRawMode(true);
      const resize = () => {
        const p = ptyOf();
        channel.setWindow(p.rows ?? 24, p.cols ?? 80, 0, 0);
      };
      if (pty) process.stdout.on('resize', resize);
      const toRemote = (d: Buffer) => channel.write(d);
      const ended = () => channel.end();
      stdin.on('data', toRemote);
      stdin.on('end', ended);
      stdin.resume();
      let code: number | null | undefined;
      let signal: string | undefined;
      channel.on('data', (d: Buffer) => process.stdout.write(d));
      channel.stderr.on('data', (d: Buffer) => process.stderr.write(d));
      channel.on('exit', (c: number | null, s?: string) => {
        code = c;
        signal = s;
      });
      channel.on('close', () => {
        if (pty) process.stdout.removeListener('resize', resize);
        stdin.removeListener('data', toRemote);
        stdin.removeListener('end', ended);
        if (raw) stdin.setRawMode(false);
        stdin.pause();
        resolve(exitCodeOf(code, signal));
      });
    };
    if (req.command === undefined) {
      if (pty) client.shell(pty, opened);
      else client.shell(false, opened);
    } else if (pty) client.exec(req.command, { pty }, opened);
    else client.exec(req.command, opened);
  });
}
