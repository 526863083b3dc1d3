import type { Duplex } from 'node:stream';
import { ConnectionError } from '../errors/connection-error.js';

/** Write `payload`, read until the peer closes (or `timeoutMs`), return what came back. */
export function requestOnStream(host: string, what: string, stream: Duplex, payload: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      stream.destroy();
      reject(new ConnectionError(host, `${what}: no complete answer within ${timeoutMs} ms`));
    }, timeoutMs);
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('error', (err: Error) => {
      clearTimeout(timer);
      reject(new ConnectionError(host, `${what}: ${err.message}`));
    });
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
      stream.end();
    };
    // the peer closing its side is the end of the answer (an SSH channel closes only when both did)
    stream.on('end', finish);
    stream.on('close', finish);
    stream.write(payload);
  });
}
