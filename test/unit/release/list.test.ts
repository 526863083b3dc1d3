import { lstatSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatReleases, releasesFact, type HostReleases } from '../../../src/ops/release/list.js';
import { releasePaths } from '../../../src/ops/release/paths.js';
import { localSh } from '../../helpers/local-sh.js';
import { alice, fresh, withReleases } from './fixtures.js';

describe('releases listing', () => {
  it('lists complete releases newest first, partials, lock and history', async () => {
    const root = fresh();
    withReleases(root, ['app-1', 'app-2']);
    mkdirSync(join(root, 'releases', 'app-3.partial'));
    const p = releasePaths(root);
    symlinkSync('releases/app-2', join(root, 'current'));
    mkdirSync(p.lock, { recursive: true });
    writeFileSync(p.owner, `${JSON.stringify(alice)}\n`);
    const line = (to: string) => `${JSON.stringify({ action: 'deploy', result: 'ok', to })}\n`;
    writeFileSync(p.history, `${line('app-1')}${line('app-2')}{torn`);
    const fact = releasesFact(p);
    const r = fact.parse((await localSh(fact.command)).stdout);
    expect(r.current).toBe('app-2');
    expect(r.previous).toBeUndefined();
    expect(r.releases.map((x) => x.id)).toEqual(['app-2', 'app-1']);
    expect(r.releases[0]?.mtime.toISOString()).toBe('2026-01-02T00:00:00.000Z');
    expect(r.partial).toEqual(['app-3.partial']);
    expect(r.lock).toEqual(alice);
    expect(r.history.map((h) => h.to)).toEqual(['app-1', 'app-2']);
    expect(lstatSync(join(root, 'current')).isSymbolicLink()).toBe(true);
    // `ferry unlock` reads the lock with no history lines
    const lockOnly = releasesFact(p, 0);
    expect(lockOnly.parse((await localSh(lockOnly.command)).stdout)).toMatchObject({ lock: alice, history: [] });
  });

  it('answers for a host with nothing deployed yet', async () => {
    const fact = releasesFact(releasePaths(fresh()));
    const r = await localSh(fact.command);
    expect(r.code, r.stderr).toBe(0);
    const none = { current: undefined, previous: undefined, releases: [], partial: [], lock: undefined, history: [] };
    expect(fact.parse(r.stdout)).toEqual(none);
  });
});

describe('releases table', () => {
  const day = (d: number) => new Date(Date.UTC(2026, 0, d));
  const h1: HostReleases = {
    current: 'app-2',
    previous: 'app-1',
    partial: [],
    lock: alice,
    releases: [
      { id: 'app-3', mtime: day(3) },
      { id: 'app-2', mtime: day(2) },
      { id: 'app-1', mtime: day(1) },
    ],
    history: [
      {
        at: 'T',
        action: 'rollback',
        result: 'ok',
        from: 'app-3',
        to: 'app-2',
        user: 'bob',
        controlHost: 'ctl',
        runId: 'r',
        bundle: 'app',
      },
    ],
  };

  it('shows current, previous, staged, the lock owner and the last action; all on one release', () => {
    expect(formatReleases([{ host: 'h1', releases: h1 }])).toBe(
      [
        'h1:',
        '  current   app-2 (2026-01-02 00:00:00Z)',
        '  previous  app-1',
        '  staged    app-3 (2026-01-03 00:00:00Z)',
        '  LOCKED    by alice@ctl pid 1 since 2026-01-01T00:00:00Z',
        '  last      rollback ok app-3 → app-2 by bob@ctl at T',
        'all 1 host(s) on app-2',
        '',
      ].join('\n'),
    );
  });

  it('a deploy that did not land: the release tried, where the host stayed, and why', () => {
    const last = {
      ...(h1.history[0] as HostReleases['history'][number]),
      action: 'deploy' as const,
      from: 'app-2',
      to: 'app-3',
    };
    const row = (e: Partial<HostReleases['history'][number]>) =>
      formatReleases([{ host: 'h1', releases: { ...h1, lock: undefined, history: [{ ...last, ...e }] } }]);
    expect(
      row({ result: 'rolled-back', error: '[h1] health gate: … (last: HTTP 404)\n  supervisor: app RUNNING' }),
    ).toContain(
      '  last      deploy rolled-back app-3 (switched back to app-2) by bob@ctl at T\n' +
        '            [h1] health gate: … (last: HTTP 404)\n',
    );
    expect(row({ result: 'staged-only' })).toContain('deploy staged-only app-3 (not switched: still on app-2) by');
    expect(row({ result: 'failed', error: 'boom' })).toContain(
      'deploy failed app-3 (was on app-2) by bob@ctl at T\n            boom\n',
    );
    expect(row({ result: 'ok' })).toContain('deploy ok app-2 → app-3 by');
  });

  it('flags hosts that disagree and hosts that did not answer', () => {
    const h2: HostReleases = { releases: [], partial: [], history: [], lock: 'raw owner text' };
    const rows = [
      { host: 'h1', releases: h1 },
      { host: 'h2', releases: h2 },
      { host: 'h3', error: 'unreachable' },
    ];
    const text = formatReleases(rows);
    expect(text).toContain('h2:\n  current   (none)\n  previous  (none)\n  LOCKED    by raw owner text\n');
    expect(text).toContain('h3: ERROR unreachable\n');
    expect(text).toMatch(/WARNING: hosts disagree on current: h1 → app-2; h2 → \(none\)\n$/);
  });
});
