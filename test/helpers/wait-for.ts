import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  /** give up after this long; the error names `what` */
  readonly timeoutMs: number;
  /** what is awaited, for the timeout message ("the deploy to wait for the lock") */
  readonly what: string;
  /** pause between polls; default 20 ms */
  readonly everyMs?: number;
}

/**
 * Poll `cond` until it returns a truthy value and return that value; throw once `timeoutMs` has
 * passed. A wait on a condition instead of a fixed sleep: fast when the thing happens soon,
 * and a clear failure (not a test that passes anyway) when it never does.
 */
export async function waitFor<T>(cond: () => T | Promise<T>, o: WaitOptions): Promise<NonNullable<T>> {
  const deadline = Date.now() + o.timeoutMs;
  for (;;) {
    const v = await cond();
    if (v) return v as NonNullable<T>;
    if (Date.now() >= deadline) throw new Error(`timed out after ${o.timeoutMs} ms waiting for ${o.what}`);
    await sleep(o.everyMs ?? 20);
  }
}
