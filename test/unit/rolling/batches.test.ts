import { describe, expect, it } from 'vitest';
import {
  batchSize,
  exceedsBudget,
  parseBatch,
  parseDuration,
  parseMaxFail,
  planBatches,
  type Amount,
} from '../../../src/rolling/batches.js';
import { UsageError } from '../../../src/errors/usage-error.js';

const count = (value: number): Amount => ({ kind: 'count', value });
const pct = (value: number): Amount => ({ kind: 'percent', value });

describe('parseBatch', () => {
  it.each([
    ['2', count(2)],
    [' 1 ', count(1)],
    ['25%', pct(25)],
    ['100%', pct(100)],
    ['12.5%', pct(12.5)],
  ])('%s', (text, expected) => {
    expect(parseBatch(text)).toEqual(expected);
  });

  it.each(['0', '0%', '101%', '-1', '2.5', 'abc', '', '%', '25 %', '1e3'])('rejects %j', (text) => {
    expect(() => parseBatch(text)).toThrow(UsageError);
  });
});

describe('parseMaxFail', () => {
  it.each([
    ['0', count(0)],
    ['3', count(3)],
    ['0%', pct(0)],
    ['50%', pct(50)],
  ])('%s', (text, expected) => {
    expect(parseMaxFail(text)).toEqual(expected);
  });

  it.each(['-1', '101%', 'x', ''])('rejects %j', (text) => {
    expect(() => parseMaxFail(text)).toThrow(UsageError);
  });
});

describe('parseDuration', () => {
  it.each([
    ['0', 0],
    ['500ms', 500],
    ['5s', 5000],
    ['1.5s', 1500],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['0s', 0],
  ])('%s → %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['5', '', 's', '5x', '5 s', '-5s', '5s garbage', 'ms5'])('rejects %j', (text) => {
    expect(() => parseDuration(text)).toThrow(UsageError);
  });
});

describe('batchSize / planBatches', () => {
  it.each([
    [10, pct(25), 3], // 2.5 rounds up
    [10, pct(30), 3], // exact, no float fuzz to 4
    [3, pct(10), 1], // at least one host
    [4, pct(100), 4],
    [7, count(2), 2],
    [1, count(5), 5],
  ])('%d hosts, %j → %d per batch', (total, batch, size) => {
    expect(batchSize(total, batch)).toBe(size);
  });

  it('splits in order, the last batch takes the remainder', () => {
    expect(planBatches(['a', 'b', 'c', 'd', 'e'], count(2))).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(planBatches(['a', 'b', 'c', 'd', 'e'], pct(50))).toEqual([
      ['a', 'b', 'c'],
      ['d', 'e'],
    ]);
    expect(planBatches(['a', 'b', 'c'], pct(1))).toEqual([['a'], ['b'], ['c']]);
    expect(planBatches(['a', 'b'], count(10))).toEqual([['a', 'b']]);
    expect(planBatches([], pct(25))).toEqual([]);
  });
});

describe('exceedsBudget', () => {
  it.each([
    [0, 10, count(0), false],
    [1, 10, count(0), true], // default: the first failure aborts
    [2, 10, count(2), false],
    [3, 10, count(2), true],
    [2, 10, pct(20), false], // exactly 20% is within
    [3, 10, pct(20), true],
    [1, 3, pct(33), true], // 33.3% > 33%
    [1, 4, pct(25), false],
    [0, 4, pct(0), false],
    [1, 4, pct(0), true],
  ])('%d of %d failed, max %j → %s', (failed, total, max, expected) => {
    expect(exceedsBudget(failed, total, max)).toBe(expected);
  });
});
