import { describe, expect, it } from 'vitest';
import { youngerRun } from '../../../src/lifecycle/take-lock.js';
import { alice } from './fixtures.js';

describe('racing deploys: who wins', () => {
  const later = { ...alice, user: 'bob', runId: 'r0', started: '2026-01-01T00:00:00.001Z' };

  it('the older run (started first, then the smaller run id) waits for a younger holder; the younger never waits', () => {
    expect(youngerRun(alice, later)).toBe(true);
    expect(youngerRun(later, alice)).toBe(false);
    const twin = { ...alice, runId: 'r2' };
    expect(youngerRun(alice, twin)).toBe(true);
    expect(youngerRun(twin, alice)).toBe(false);
  });

  it('never waits for a holder it cannot order: itself, no runId, unreadable or unknown', () => {
    expect(youngerRun(alice, alice)).toBe(false);
    const { runId: _, ...old } = later;
    expect(youngerRun(alice, old as typeof later)).toBe(false);
    expect(youngerRun(alice, 'half a {json')).toBe(false);
    expect(youngerRun(alice, undefined)).toBe(false);
    expect(youngerRun(alice, { ...later, started: 'yesterday' })).toBe(false);
  });
});
