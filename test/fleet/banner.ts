import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** Read the first line an SSH server sends; resolves with it or rejects on any socket error. */
export function readBanner(address: string, port: number, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address, port });
    let data = '';
    const done = (error: Error | undefined, line?: string): void => {
      socket.destroy();
      if (error) reject(error);
      else resolve(line ?? '');
    };
    socket.setTimeout(timeoutMs, () => done(new Error(`no SSH banner from ${address}:${port} within ${timeoutMs} ms`)));
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString('latin1');
      const end = data.indexOf('\n');
      if (end >= 0) done(undefined, data.slice(0, end).replace(/\r$/, ''));
    });
    socket.on('error', (error) => done(error));
    socket.on('end', () => done(new Error(`connection to ${address}:${port} closed before a banner`)));
  });
}

/**
 * Poll until `address:port` answers with an `SSH-2.0-` banner. `alive` is asked between
 * attempts so a server that died is reported at once instead of at the deadline.
 */
export async function waitForBanner(
  address: string,
  port: number,
  deadline: number,
  alive: () => string | undefined,
): Promise<string> {
  let lastError = 'not tried';
  for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
    const dead = alive();
    if (dead !== undefined) throw new Error(dead);
    try {
      const banner = await readBanner(address, port, Math.max(1_000, deadline - Date.now()));
      if (banner.startsWith('SSH-2.0-')) return banner;
      lastError = `unexpected banner ${JSON.stringify(banner)}`;
    } catch (error) {
      lastError = (error as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`${address}:${port} gave no SSH banner: ${lastError}`);
    await sleep(delay);
  }
}
