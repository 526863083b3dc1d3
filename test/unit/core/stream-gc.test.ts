import { constants, PerformanceObserver, performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { streamed } from '../../../src/lifecycle/stream-gc.js';
import { waitFor } from '../../helpers/wait-for.js';

const MB = 1024 * 1024;

describe('streamed(): a collection every 8 MB streamed', () => {
  // V8's own record of its collections (heap totals move with whatever else the worker does). A
  // collection can have begun (incremental marking) before the call that finishes it: count its end.
  // retried: in a loaded full run the forced collection is now and then not seen (see the closing note)
  it('runs a full collection when 8 MB have gone by, not before', { retry: 2 }, async () => {
    const majors: number[] = []; // when each major collection ended
    const observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        // a gc entry carries { kind } in `detail` (Node ≥ 16), which @types/node 20 does not declare
        const kind = (e as { detail?: { kind?: number } | null }).detail?.kind;
        if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors.push(e.startTime + e.duration);
      }
    });
    observer.observe({ entryTypes: ['gc'] });
    try {
      expect(streamed(3 * MB)).toBe(false);
      expect(streamed(4 * MB)).toBe(false);
      const at = performance.now();
      expect(streamed(1 * MB)).toBe(true); // 8 MB in all: a full collection, right now
      await waitFor(() => majors.some((t) => t >= at), { timeoutMs: 5000, what: 'a major GC entry' });
      expect(streamed(1 * MB)).toBe(false); // the count starts again
    } finally {
      observer.disconnect();
    }
  });
});
