import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { onAbort } from '../../../src/ssh/on-abort.js';

describe('onAbort', () => {
  it('calls every waiter once on abort, not the ones that stopped waiting', () => {
    const ac = new AbortController();
    const called: number[] = [];
    const stops = Array.from({ length: 5 }, (_, i) => onAbort(ac.signal, () => called.push(i)));
    stops[1]?.();
    stops[3]?.();
    ac.abort();
    ac.abort();
    expect(called).toEqual([0, 2, 4]);
  });

  it('puts one listener on the signal however many wait (EventTarget pays per listener)', () => {
    const ac = new AbortController();
    const stops = Array.from({ length: 1000 }, () => onAbort(ac.signal, () => undefined));
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(1);
    for (const stop of stops) stop();
    // control: EventTarget itself keeps one per add
    const other = new AbortController();
    for (let i = 0; i < 3; i++) other.signal.addEventListener('abort', () => undefined);
    expect(getEventListeners(other.signal, 'abort')).toHaveLength(3);
  });

  it('the same function waiting twice is called twice', () => {
    const ac = new AbortController();
    let n = 0;
    const fn = () => n++;
    onAbort(ac.signal, fn);
    onAbort(ac.signal, fn);
    ac.abort();
    expect(n).toBe(2);
  });

  it('does nothing for no signal or one aborted already (the caller acts on `aborted` itself)', () => {
    let n = 0;
    onAbort(undefined, () => n++)();
    const ac = new AbortController();
    ac.abort();
    onAbort(ac.signal, () => n++)();
    expect(n).toBe(0);
  });
});
