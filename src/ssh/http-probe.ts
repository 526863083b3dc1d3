import type { SshConnection } from './connection.js';
import { requestOnStream } from './stream-request.js';

/**
 * The HTTP status of GET http://<address>:<port><path> as seen from the remote host, through the
 * SSH connection itself (direct-tcpip): nothing needed on the host but the app. Like HAProxy's
 * httpchk, it reads the response head and closes; the body is not waited for.
 */
export async function httpStatusOverSsh(
  conn: SshConnection,
  address: string,
  port: number,
  path: string,
  timeoutMs = 3000,
): Promise<number> {
  const stream = await conn.forwardTcp(address, port);
  const request = `GET ${path} HTTP/1.0\r\nHost: ${address}\r\nUser-Agent: ferry-health\r\nConnection: close\r\n\r\n`;
  const text = await requestOnStream(conn.target.name, `GET ${path}`, stream, request, timeoutMs, httpHeadComplete);
  return httpStatusOf(text);
}

/** The response head (status line and headers) is in. */
export function httpHeadComplete(received: Buffer): boolean {
  return received.includes('\r\n\r\n') || received.includes('\n\n');
}

/** The status code of a response's status line; 0 when there is none. */
export function httpStatusOf(text: string): number {
  const m = /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(text);
  return m ? Number(m[1]) : 0;
}
