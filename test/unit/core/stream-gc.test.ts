import { getHeapStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { streamed } from '../../../src/lifecycle/stream-gc.js';

describe('streamed(): a collection every 8 MB streamed', () => {
  it('collects when 8 MB have gone by, not before', () => {
    const MB = 1024 * 1024;
    expect(streamed(3 * MB)).toBe(false);
    expect(streamed(4 * MB)).toBe(false);
    // garbage the collection must reclaim
    let junk: unknown[] | undefined = Array.from({ length: 200_000 }, (_, i) => ({ i, s: `x${i}` }));
    const before = getHeapStatistics().used_heap_size;
    junk = undefined;
    expect(streamed(1 * MB)).toBe(true); // 8 MB in all: a full collection, right now
    expect(getHeapStatistics().used_heap_size).toBeLessThan(before);
    expect(junk).toBeUndefined();
    expect(streamed(1 * MB)).toBe(false); // the count starts again
  });
});
