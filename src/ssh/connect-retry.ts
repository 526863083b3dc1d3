import { setTimeout as sleep } from 'node:timers/promises';
import { ConnectionError } from '../errors/connection-error.js';

/** Tries per connection: the first and two retries. */
export const CONNECT_TRIES = 3;
/** Backoff before retry k (1-based): BASE × 2^(k-1), jittered ±50% so a fleet's retries do not arrive together. */
const BASE_MS = 500;

/** Socket errors a restarting or busy sshd gives; a retry may well get through. */
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']);

/**
 * A connect failure worth retrying: refused (sshd restarting), reset, timed out (no banner within
 * --connect-timeout), or closed before the banner (sshd's MaxStartups drop). Never an
 * authentication or host-key refusal (asking again gets the same answer, and may lock the
 * account), nor a failure of the jump host (its own connect retried already).
 */
export function isTransient(err: unknown, targetName: string): boolean {
  if (!(err instanceof ConnectionError) || err.host !== targetName) return false;
  const cause = err.cause as (Error & { code?: string; level?: string }) | undefined;
  if (!cause) return false;
  if (cause.level === 'client-timeout') return true;
  if (cause.message === 'Connection lost before handshake') return true;
  // ssh2 tags socket errors `client-socket`; node-ssh's "No response from server" (closed, no error) has no level
  return cause.level !== 'client-authentication' && TRANSIENT_CODES.has(cause.code ?? '');
}

export function backoffMs(retry: number, random: () => number = Math.random): number {
  return Math.round(BASE_MS * 2 ** (retry - 1) * (0.5 + random()));
}

/**
 * `attempt()` until it succeeds, a failure is not transient, or CONNECT_TRIES are spent. The
 * result carries how many retries it took; a final failure says so in its message and `retries`.
 */
export async function withConnectRetries<T extends { retries: number }>(
  targetName: string,
  attempt: () => Promise<T>,
): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      const ok = await attempt();
      ok.retries = tries - 1;
      return ok;
    } catch (err) {
      if (tries >= CONNECT_TRIES || !isTransient(err, targetName)) {
        if (tries === 1 || !(err instanceof ConnectionError)) throw err;
        const message = err.message.replace(`[${targetName}] `, '');
        throw new ConnectionError(targetName, `${message} (after ${tries} tries)`, {
          cause: err.cause,
          retries: tries - 1,
        });
      }
      await sleep(backoffMs(tries));
    }
  }
}
