import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BundleDefinition } from '../../../src/bundle/definition.js';
import { manifestJson, type ArchiveManifest } from '../../../src/bundle/manifest.js';
import { badReleases, historyFact, rollbackCandidates, type HistoryEntry } from '../../../src/ops/release/history.js';
import { formatHistory, mergeHistory } from '../../../src/ops/release/history-table.js';
import { formatReleases } from '../../../src/ops/release/list.js';
import { recordedReleaseFact } from '../../../src/ops/release/manifest.js';
import { releasePaths } from '../../../src/ops/release/paths.js';
import { rollbackRefusals, type HostTarget } from '../../../src/lifecycle/rollback-target.js';
import { withOutcome } from '../../../src/lifecycle/history-entry.js';
import type { HostReport } from '../../../src/runner/report.js';
import { localSh } from '../../helpers/local-sh.js';
import { fresh, withReleases } from './fixtures.js';

const entry = (
  action: HistoryEntry['action'],
  from: string | undefined,
  to: string,
  more: Partial<HistoryEntry> = {},
) =>
  ({
    at: 'T',
    action,
    user: 'u',
    controlHost: 'c',
    runId: 'r',
    bundle: 'app',
    from,
    to,
    result: 'ok',
    ...more,
  }) as HistoryEntry;

const present = ['v1', 'v2', 'v3'];

describe('rollback candidates from history', () => {
  it('the release live before the last deploy, then further back', () => {
    const h = [entry('deploy', undefined, 'v1'), entry('deploy', 'v1', 'v2'), entry('deploy', 'v2', 'v3')];
    expect(rollbackCandidates(h, { current: 'v3', previous: 'v2', present })).toEqual(['v2', 'v1']);
  });

  it('a release a rollback left is marked bad and skipped; a later deploy of it clears the mark', () => {
    const h = [
      entry('deploy', undefined, 'v1'),
      entry('deploy', 'v1', 'v2'),
      entry('deploy', 'v2', 'v3'),
      entry('rollback', 'v3', 'v2', { bad: 'v3' }),
    ];
    expect([...badReleases(h)]).toEqual(['v3']);
    // `previous` is v3 now: the old rule would go back to it
    expect(rollbackCandidates(h, { current: 'v2', previous: 'v3', present })).toEqual(['v1']);
    const redeployed = [...h, entry('deploy', 'v2', 'v3')];
    expect([...badReleases(redeployed)]).toEqual([]);
    expect(rollbackCandidates(redeployed, { current: 'v3', previous: 'v2', present })).toEqual(['v2', 'v1']);
  });

  it('ignores failed and unchanged lines and restarts; skips releases no longer on the host', () => {
    const h = [
      entry('deploy', undefined, 'v1'),
      entry('deploy', 'v1', 'v2'),
      entry('deploy', 'v2', 'v3', { result: 'failed' }),
      entry('restart', 'v2', 'v2'),
      entry('deploy', 'v2', 'v2', { result: 'unchanged' }),
    ];
    expect(rollbackCandidates(h, { current: 'v2', present })).toEqual(['v1']);
    expect(rollbackCandidates(h, { current: 'v2', present: ['v2', 'v3'] })).toEqual([]);
  });

  it('with no switch recorded: previous, unless it is marked bad', () => {
    expect(rollbackCandidates([], { current: 'v2', previous: 'v1', present })).toEqual(['v1']);
    expect(rollbackCandidates([], { current: 'v2', present })).toEqual([]);
  });
});

describe('history fact', () => {
  it('reads every line, or the last n; nothing for a host with no history', async () => {
    const p = releasePaths(fresh());
    const none = historyFact(p);
    expect(none.parse((await localSh(none.command)).stdout)).toEqual([]);
    mkdirSync(p.state, { recursive: true });
    const lines = ['v1', 'v2', 'v3'].map((v) => JSON.stringify(entry('deploy', undefined, v)));
    writeFileSync(p.history, `${lines.join('\n')}\n{torn\n`);
    const all = historyFact(p);
    expect(all.parse((await localSh(all.command)).stdout).map((e) => e.to)).toEqual(['v1', 'v2', 'v3']);
    const last = historyFact(p, 2);
    expect(last.parse((await localSh(last.command)).stdout).map((e) => e.to)).toEqual(['v3']);
  });
});

const definition: BundleDefinition = {
  name: 'app',
  env: { kind: 'node', scripts: true },
  build: [],
  roles: ['app'],
  configs: [{ template: 't', target: 'nginx/app.conf', link: '/etc/nginx/sites-enabled/app.conf', roles: ['app'] }],
  shared: ['log'],
  program: 'app',
  health: { path: '/check.html', port: 'app_port' },
  deployPath: '/srv/app',
  keep: 5,
};

describe('recorded release fact', () => {
  it("reads the definition from a release's manifest.json without its file list", async () => {
    const root = fresh();
    withReleases(root, ['v1', 'v2']);
    const p = releasePaths(root);
    const files = Array.from({ length: 2000 }, (_, i) => ({ path: `app/f${i}`, size: 1, sha256: 'x'.repeat(64) }));
    const m = {
      format: 1,
      name: 'app',
      tag: 'v1',
      commit: 'abc',
      commitTime: 'T',
      env: { kind: 'node' },
      definition,
      files,
    } as unknown as ArchiveManifest;
    writeFileSync(join(root, 'releases/v1/manifest.json'), manifestJson(m));
    const fact = recordedReleaseFact(p, 'v1');
    const r = await localSh(fact.command);
    expect(r.stdout.length).toBeLessThan(2000);
    expect(fact.parse(r.stdout)).toEqual({ id: 'v1', tag: 'v1', commit: 'abc', definition });
    const none = recordedReleaseFact(p, 'v2');
    expect(none.parse((await localSh(none.command)).stdout)).toBe('releases/v2 has no manifest.json');
    writeFileSync(join(root, 'releases/v2/manifest.json'), '{"format": 1}\n');
    expect(none.parse((await localSh(none.command)).stdout)).toMatch(/no definition ferry can read/);
  });
});

describe('rollback refusals', () => {
  const target = (id: string, candidates: string[], def = definition): HostTarget => ({
    candidates,
    release: { id, definition: def },
  });

  it('hosts that agree go on; hosts that disagree are all refused, each with its own candidates', () => {
    const same = new Map([
      ['h1', target('v2', ['v2', 'v1'])],
      ['h2', target('v2', ['v2'])],
    ]);
    expect(rollbackRefusals(same, false).size).toBe(0);
    const differ = new Map([
      ['h1', target('v2', ['v2', 'v1'])],
      ['h2', target('v1', ['v1'])],
    ]);
    const r = rollbackRefusals(differ, false);
    expect(r.get('h1')).toMatch(
      /candidates, newest first: v2, v1 .*--to v1 \(a candidate on every host\) or --per-host/,
    );
    expect(r.get('h2')).toMatch(/candidates, newest first: v1 /);
    expect(rollbackRefusals(differ, true).size).toBe(0);
  });

  it('one release with different recorded definitions on two hosts is refused', () => {
    const t = new Map([
      ['h1', target('v2', ['v2'])],
      ['h2', target('v2', ['v2'], { ...definition, program: 'other' })],
    ]);
    expect(rollbackRefusals(t, false).get('h2')).toMatch(/release v2 recorded a different definition on h1 \/ h2/);
  });
});

describe('history table', () => {
  it('merges hosts by time, keeps the newest n, and shows duration and the failed step', () => {
    const rows = [
      {
        host: 'h1',
        entries: [
          entry('deploy', undefined, 'v1', { at: '2026-01-01T00:00:00.000Z', tag: 'v1', durationMs: 1234 }),
          entry('deploy', 'v1', 'v2', {
            at: '2026-01-03T00:00:00.000Z',
            result: 'failed',
            failedStep: 'activate',
            error: 'boom\nmore',
          }),
        ],
      },
      { host: 'h2', entries: [entry('deploy', undefined, 'v1', { at: '2026-01-02T00:00:00.000Z' })] },
      { host: 'h3', error: 'unreachable' },
    ];
    expect(mergeHistory(rows).map((e) => e.host)).toEqual(['h1', 'h2', 'h1']);
    expect(mergeHistory(rows, 2).map((e) => e.at.slice(0, 10))).toEqual(['2026-01-02', '2026-01-03']);
    const text = formatHistory(mergeHistory(rows), rows).split('\n');
    expect(text[0]).toMatch(/^WHEN +HOST +ACTION +RESULT +FROM → TO +TAG +BY +TOOK +FAILED$/);
    expect(text[1]).toMatch(/^2026-01-01 00:00:00Z +h1 +deploy +ok +- → v1 +v1 +u@c +1\.2s$/);
    expect(text[3]).toMatch(/failed +v1 → v2 .* activate: boom$/);
    expect(text[4]).toBe('h3: ERROR unreachable');
  });
});

describe('releases table marks bad releases', () => {
  it('shows BAD beside a release a rollback left', () => {
    const text = formatReleases([
      {
        host: 'h1',
        releases: {
          current: 'v1',
          previous: 'v2',
          partial: [],
          releases: [
            { id: 'v2', mtime: new Date(0) },
            { id: 'v1', mtime: new Date(0) },
          ],
          history: [entry('deploy', 'v1', 'v2'), entry('rollback', 'v2', 'v1', { bad: 'v2' })],
        },
      },
    ]);
    expect(text).toContain('previous  v2 BAD (rolled back from)');
    expect(text).not.toMatch(/current .*BAD/);
  });
});

describe("a host's history line gets the run's outcome", () => {
  const step = (id: string, status: 'ok' | 'failed') =>
    ({
      id,
      title: id,
      command: '',
      status,
      exitCode: status === 'ok' ? 0 : 1,
      durationMs: 1,
      stdout: '',
      stderr: '',
    }) as const;
  const report = (steps: ReturnType<typeof step>[]): HostReport => ({
    host: 'h1',
    status: steps.some((s) => s.status === 'failed') ? 'failed' : 'ok',
    durationMs: 5,
    channels: 2,
    steps,
    changes: 0,
  });

  it('duration always, the failed step only when the line is not ok', () => {
    const failed = withOutcome(
      entry('deploy', 'v1', 'v2', { result: 'failed' }),
      report([step('probe', 'ok'), step('activate', 'failed')]),
      1234.6,
    );
    expect(failed).toMatchObject({ durationMs: 1235, failedStep: 'activate' });
    const ok = withOutcome(entry('deploy', 'v1', 'v2'), report([step('probe', 'ok')]), 10);
    expect(ok.durationMs).toBe(10);
    expect('failedStep' in ok).toBe(false);
  });
});
