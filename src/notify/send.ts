import { connect } from 'node:net';

/**
 * Send carbon plaintext lines and wait until the receiver has read them: carbon closes its side
 * once it reads our end of stream, so the peer's close is the only acknowledgement the protocol
 * has. A listener that accepts but never reads (or never closes) runs into the timeout instead
 * of passing for a delivery.
 */
export function sendCarbon(host: string, port: number, text: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no acknowledgement within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => socket.end(text));
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.once('close', (hadError) => {
      clearTimeout(timer);
      if (!hadError) resolve();
    });
    socket.resume(); // carbon sends nothing back; reading lets its close arrive as our 'end'
  });
}

/** A URL's userinfo as a Basic Authorization header (fetch refuses URLs that carry credentials). */
function splitCredentials(url: string): { url: string; headers: Record<string, string> } {
  const u = new URL(url);
  if (!u.username && !u.password) return { url, headers: {} };
  const auth = Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64');
  u.username = '';
  u.password = '';
  return { url: u.toString(), headers: { authorization: `Basic ${auth}` } };
}

/** POST a JSON body; a non-2xx answer is a failure. The timeout covers connect, answer and body. */
export async function postJson(url: string, body: unknown, timeoutMs: number): Promise<void> {
  const target = splitCredentials(url);
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const res = await fetch(target.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'ferry', ...target.headers },
      body: JSON.stringify(body),
      signal,
    });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
  } catch (err) {
    if (signal.aborted) throw new Error(`no answer within ${timeoutMs} ms`);
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw cause?.code ? new Error(cause.code) : err;
  }
}

/** What a warning or a dry run may show of a URL: its origin (a webhook's path is often its secret). */
export function shownUrl(url: string): string {
  const u = new URL(url);
  return u.pathname === '/' && !u.search ? u.origin : `${u.origin}/…`;
}
