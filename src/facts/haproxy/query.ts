import { quote } from '../../shell/quote.js';
import { sh, type Command } from '../../shell/command.js';

const SOCKET = /^\/[A-Za-z0-9_./@+-]+$/;
const NAME = /^[A-Za-z0-9_.:-]+$/;

/**
 * A read-only runtime API query as a remote command (Facts carry no stdin): the constant line is
 * written by the shell's `printf` builtin into socat's stdin, so it is never a process argument
 * and never part of socat's address syntax. Over an SSH stream-local forward, send the same line
 * with `net.connect({ path })` instead and feed the reply to the same parser.
 */
export function runtimeQueryCommand(socket: string, line: 'show stat' | `show servers state${string}`): Command {
  if (!SOCKET.test(socket) || socket.split('/').includes('..')) throw new Error(`invalid haproxy socket path ${JSON.stringify(socket)}`);
  if (/[\n;]/.test(line)) throw new Error(`invalid runtime line ${JSON.stringify(line)}`);
  return sh(`printf '%s\\n' ${quote(line)} | ${['socat', '-t', '10', '-T', '30', '-', `UNIX-CONNECT:${socket}`].map(quote).join(' ')}`);
}

export function assertBackendName(name: string): string {
  if (!NAME.test(name)) throw new Error(`invalid haproxy backend name ${JSON.stringify(name)}`);
  return name;
}
