import { UsageError } from '../../errors/usage-error.js';

/**
 * HAProxy proxy and server names as the runtime API accepts them. The API is line-oriented and
 * splits commands on `;`, so anything outside HAProxy's own name alphabet (letters, digits, `-`,
 * `_`, `.`, `:`) is refused before it reaches a socket. Names come from the bundle (backend) and
 * the inventory (server = host name), so a bad one is the user's to fix.
 */
const NAME = /^[A-Za-z0-9_.:-]+$/;

/** A socket path safe both for a shell word and for socat's `UNIX-CONNECT:` address syntax. */
const SOCKET = /^\/[A-Za-z0-9_./@+-]+$/;

export function assertName(kind: 'backend' | 'server', name: string): string {
  if (!NAME.test(name)) {
    throw new UsageError(
      `invalid haproxy ${kind} name ${JSON.stringify(name)}: only letters, digits, '-', '_', '.', ':' are allowed`,
    );
  }
  return name;
}

export function assertSocketPath(path: string): string {
  if (!SOCKET.test(path) || path.split('/').includes('..')) {
    throw new UsageError(
      `invalid haproxy socket path ${JSON.stringify(path)}: absolute, letters, digits and _ . / @ + - only`,
    );
  }
  return path;
}
