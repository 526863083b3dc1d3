import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseShowStat } from '../../../src/ops/haproxy/runtime.js';
import { counterDelta, errorShare, formatShare, NO_COUNTS } from '../../../src/ops/haproxy/counters.js';
import {
  defaultMinRequests,
  judgeWindow,
  tooManyErrors,
  windowRates,
  type StatSample,
} from '../../../src/ops/haproxy/error-rate.js';
import { FailedError } from '../../../src/errors/failed-error.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/haproxy/${name}`, import.meta.url), 'utf8');
// captured by capture-errors.sh: web1 answers 500 to every 10th request, web2 never, web3 is DOWN
const start = parseShowStat(fixture('stat-errors-start.csv'));
const end = parseShowStat(fixture('stat-errors-end.csv'));
const sample = (lb: string, rows = start): StatSample => ({ lb, rows });

describe('show stat counters (haproxy 2.6.12 real output)', () => {
  it('reads the response classes, requests and errors of each server', () => {
    const web1 = start.find((r) => r.svname === 'web1');
    expect(web1?.counters).toMatchObject({ hrsp2xx: 18, hrsp5xx: 2, hrsp4xx: 0, eresp: 0, econ: 0 });
    expect(web1?.counters.reqTot).toBe(20);
    expect(start.find((r) => r.svname === 'web3')?.counters).toEqual(NO_COUNTS);
  });

  it('a delta is end − start; a counter going down (a reload in between) keeps the end values, marked reset', () => {
    const a = { ...NO_COUNTS, hrsp2xx: 10, hrsp5xx: 1 };
    const b = { ...NO_COUNTS, hrsp2xx: 25, hrsp5xx: 3 };
    expect(counterDelta(a, b)).toEqual({ delta: { ...NO_COUNTS, hrsp2xx: 15, hrsp5xx: 2 }, reset: false });
    expect(counterDelta(b, { ...NO_COUNTS, hrsp2xx: 4 })).toEqual({ delta: { ...NO_COUNTS, hrsp2xx: 4 }, reset: true });
  });

  it("the share counts eresp (HAProxy's own 502) as an error and a response", () => {
    expect(errorShare({ ...NO_COUNTS, hrsp2xx: 97, hrsp5xx: 2, eresp: 1 })).toBeCloseTo(0.03);
    expect(errorShare(NO_COUNTS)).toBeUndefined();
    expect(formatShare(0.0125)).toBe('1.25%');
    expect(formatShare(0)).toBe('0.0%');
    expect(formatShare(undefined)).toBe('-');
  });
});

describe('the error-rate window', () => {
  it('deltas per server over the window, the rest of the backend apart', () => {
    const r = windowRates('app', ['web1'], [sample('lb1')], [sample('lb1', end)]);
    expect(r.servers).toMatchObject([{ server: 'web1', responses: 40, errors: 4, share: 0.1, reset: false }]);
    expect(r.total).toMatchObject({ responses: 40, errors: 4 });
    expect(r.rest).toMatchObject({ responses: 40, errors: 0, share: 0 });
  });

  it('sums every LB host', () => {
    const r = windowRates(
      'app',
      ['web1', 'web2'],
      [sample('lb1'), sample('lb2')],
      [sample('lb1', end), sample('lb2', end)],
    );
    expect(r.servers.map((s) => [s.server, s.responses, s.errors])).toEqual([
      ['web1', 80, 8],
      ['web2', 80, 0],
    ]);
    expect(r.total).toMatchObject({ responses: 160, errors: 8, share: 0.05 });
    expect(r.rest.responses).toBe(0);
  });

  it('a watched server missing on an LB fails, naming the LB', () => {
    const without = end.filter((x) => x.svname !== 'web1');
    expect(() =>
      windowRates('app', ['web1'], [sample('lb1'), sample('lb2')], [sample('lb1', end), sample('lb2', without)]),
    ).toThrow(FailedError);
    expect(() => windowRates('app', ['web1'], [sample('lb2')], [sample('lb2', without)])).toThrow(/app\/web1 .*lb2/);
  });

  it('judges: 10% on web1 is over 1%, with the rates per server and in total in the summary', () => {
    const rates = windowRates('app', ['web1', 'web2'], [sample('lb1')], [sample('lb1', end)]);
    const v = judgeWindow(rates, { maxRate: 0.01, minRequests: 20 }, 5000);
    expect(v.ok).toBe(false);
    expect(v.over).toEqual(['web1']);
    expect(v.summary).toContain('web1, web2 5.00% 5xx (4 of 80 responses) in 5.0 s');
    expect(v.summary).toContain('web1 10.0% 5xx (4 of 40 responses)');
    expect(v.summary).toContain('limit 1.00%');
  });

  it('one bad server in a batch is not diluted by its healthy peers', () => {
    const rates = windowRates('app', ['web1', 'web2'], [sample('lb1')], [sample('lb1', end)]);
    const v = judgeWindow(rates, { maxRate: 0.06, minRequests: 20 }, 5000);
    expect(rates.total.share).toBeLessThan(0.06);
    expect(v).toMatchObject({ ok: false, over: ['web1'] });
  });

  it('the control: a limit above the measured share passes', () => {
    const rates = windowRates('app', ['web2'], [sample('lb1')], [sample('lb1', end)]);
    expect(judgeWindow(rates, { maxRate: 0.01, minRequests: 20 }, 5000)).toMatchObject({
      ok: true,
      inconclusive: false,
    });
  });

  it('too few requests: passes with a warning unless already certain to exceed at the minimum count', () => {
    const r = (responses: number, errors: number) => ({
      responses,
      errors,
      share: responses ? errors / responses : undefined,
      counters: NO_COUNTS,
      reset: false,
    });
    const l = { maxRate: 0.01, minRequests: 100 };
    expect(tooManyErrors(r(10, 0), l)).toBe(false);
    expect(tooManyErrors(r(10, 1), l)).toBe(false); // 1 of 100 is the limit, not over it
    expect(tooManyErrors(r(10, 2), l)).toBe(true);
    expect(tooManyErrors(r(1000, 10), l)).toBe(false);
    expect(tooManyErrors(r(1000, 11), l)).toBe(true);
    const quiet = windowRates('app', ['web3'], [sample('lb1')], [sample('lb1', end)]);
    const v = judgeWindow(quiet, l, 5000);
    expect(v).toMatchObject({ ok: true, inconclusive: true });
    expect(v.summary).toContain('fewer than 100 responses: too few to judge');
  });

  it('the default minimum is the count where one error is the limit, within 20..1000', () => {
    expect(defaultMinRequests(0.01)).toBe(100);
    expect(defaultMinRequests(0.05)).toBe(20);
    expect(defaultMinRequests(0.5)).toBe(20);
    expect(defaultMinRequests(0.0001)).toBe(1000);
    expect(defaultMinRequests(0)).toBe(1000);
  });
});
