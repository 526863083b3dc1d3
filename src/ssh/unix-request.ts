import type { SshConnection } from './connection.js';
import { requestOnStream } from './stream-request.js';

/**
 * One request/response over a unix socket on the remote host (OpenSSH stream-local forwarding).
 * `complete` tells when the answer is whole (else: when the remote end closes).
 */
export async function unixRequestOverSsh(
  conn: SshConnection,
  socketPath: string,
  payload: string,
  timeoutMs = 10_000,
  complete?: (received: Buffer) => boolean,
): Promise<string> {
  const stream = await conn.forwardUnix(socketPath);
  return requestOnStream(conn.target.name, `unix socket ${socketPath}`, stream, payload, timeoutMs, complete);
}
