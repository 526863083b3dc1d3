import { constants, PerformanceObserver, performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { streamed } from '../../../src/lifecycle/stream-gc.js';
import { waitFor } from '../../helpers/wait-for.js';

const MB = 1024 * 1024;

describe('streamed(): a scavenge every 8 MB streamed', () => {
  // V8's own record of its collections. A scavenge is synchronous: it starts inside the call, so
  // the window [before, after] of each call tells whether that call collected (a natural scavenge
  // inside a call that allocates nothing is not a thing; the first two calls are the control).
  it('runs a young-generation collection when 8 MB have gone by, not before', async () => {
    const minors: number[] = []; // when each scavenge started
    const observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        // a gc entry carries { kind } in `detail` (Node ≥ 16), which @types/node 20 does not declare
        const kind = (e as { detail?: { kind?: number } | null }).detail?.kind;
        if (kind === constants.NODE_PERFORMANCE_GC_MINOR) minors.push(e.startTime);
      }
    });
    observer.observe({ entryTypes: ['gc'] });
    const windowOf = (call: () => boolean) => {
      const from = performance.now();
      const collected = call();
      return { from, to: performance.now(), collected };
    };
    try {
      const quiet = [windowOf(() => streamed(3 * MB)), windowOf(() => streamed(4 * MB))];
      const due = windowOf(() => streamed(1 * MB)); // 8 MB in all: a collection, right now
      const again = windowOf(() => streamed(1 * MB)); // the count starts again
      expect(quiet.map((w) => w.collected)).toEqual([false, false]);
      expect(due.collected).toBe(true);
      expect(again.collected).toBe(false);
      const inside = (w: { from: number; to: number }) => minors.some((t) => t >= w.from && t <= w.to);
      await waitFor(() => inside(due), { timeoutMs: 5000, what: 'a scavenge inside the 8 MB call' });
      expect([...quiet, again].map(inside)).toEqual([false, false, false]);
    } finally {
      observer.disconnect();
    }
  });
});
