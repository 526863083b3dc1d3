import { UsageError } from '../errors/usage-error.js';

/** Read a password from the terminal without echo. */
export function promptPassword(question: string): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY)
    return Promise.reject(new UsageError('--sudo-password-prompt needs a terminal; set FERRY_SUDO_PASSWORD instead'));
  return new Promise((resolve) => {
    process.stderr.write(question);
    input.setRawMode(true);
    input.resume();
    let value = '';
    const onData = (buf: Buffer) => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          input.setRawMode(false);
          input.pause();
          input.off('data', onData);
          process.stderr.write('\n');
          return resolve(value);
        }
        if (ch === '\u0003') process.kill(process.pid, 'SIGINT');
        else if (ch === '\u007f') value = value.slice(0, -1);
        else value += ch;
      }
    };
    input.on('data', onData);
  });
}
