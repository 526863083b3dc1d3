import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sh } from '../../../src/shell/command.js';
import { appendHistoryScript, buildHistoryEntry, parseHistory } from '../../../src/ops/release/history.js';
import { releasePaths } from '../../../src/ops/release/paths.js';
import { localSh } from '../../helpers/local-sh.js';
import { fresh } from './fixtures.js';

const run = { user: 'alice', controlHost: 'ctl', runId: 'r1', label: { name: 'app', tag: 'v1', commit: 'abc123' } };

describe('history', () => {
  it('builds one line per event from the run and the release', () => {
    const e = buildHistoryEntry(run, { action: 'deploy', from: 'app-v0', to: 'app-v1', result: 'ok' });
    expect(Date.parse(e.at)).not.toBeNaN();
    expect(JSON.stringify({ ...e, at: 'T' })).toBe(
      '{"at":"T","action":"deploy","user":"alice","controlHost":"ctl","runId":"r1","bundle":"app","id":"app-v1",' +
        '"tag":"v1","commit":"abc123","from":"app-v0","to":"app-v1","result":"ok"}',
    );
    const failed = buildHistoryEntry(run, { action: 'rollback', from: 'a', to: 'b', result: 'failed', error: 'boom' });
    expect(failed.error).toBe('boom');
  });

  it('appends lines (creating .ferry on first use); a torn line is skipped when read back', async () => {
    const p = releasePaths(fresh());
    const ok = buildHistoryEntry(run, { action: 'deploy', from: 'a', to: 'b', result: 'ok' });
    const line = (result: string) => JSON.stringify({ ...ok, result });
    expect((await localSh(sh(appendHistoryScript(p, line('ok'))))).code).toBe(0);
    expect((await localSh(sh(appendHistoryScript(p, 'it\'s "quoted"')))).code).toBe(0);
    expect((await localSh(sh(appendHistoryScript(p, line('unchanged'))))).code).toBe(0);
    const lines = readFileSync(p.history, 'utf8').split('\n').filter(Boolean);
    expect(lines[1]).toBe('it\'s "quoted"');
    expect(parseHistory(lines).map((e) => e.result)).toEqual(['ok', 'unchanged']);
  });
});
