import type { SshConnection } from './connection.js';
import { requestOnStream } from './stream-request.js';

export interface HttpProbeResult {
  readonly status: number;
  readonly body: string;
}

/**
 * GET http://<address>:<port><path> as seen from the remote host, through the SSH connection
 * itself (direct-tcpip): nothing needed on the host but the app.
 */
export async function httpGetOverSsh(conn: SshConnection, address: string, port: number, path: string, timeoutMs = 3000): Promise<HttpProbeResult> {
  const stream = await conn.forwardTcp(address, port);
  const text = await requestOnStream(conn.target.name, `GET ${path}`, stream, `GET ${path} HTTP/1.0\r\nHost: ${address}\r\nUser-Agent: ferry-health\r\nConnection: close\r\n\r\n`, timeoutMs);
  const m = /^HTTP\/\d\.\d (\d{3})/.exec(text);
  const sep = text.indexOf('\r\n\r\n');
  return { status: m ? Number(m[1]) : 0, body: sep >= 0 ? text.slice(sep + 4) : '' };
}
