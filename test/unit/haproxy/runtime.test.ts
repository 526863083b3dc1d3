import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  findServerStat,
  parseSetReply,
  parseShowStat,
  runtimePayload,
  runtimeReplyComplete,
  setServerState,
  showStat,
} from '../../../src/ops/haproxy/runtime.js';
import { splitCsvLine } from '../../../src/ops/haproxy/csv.js';
import { FailedError } from '../../../src/errors/failed-error.js';
import { UsageError } from '../../../src/errors/usage-error.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/haproxy/${name}`, import.meta.url), 'utf8');

describe('runtime lines', () => {
  it('builds the documented commands and their payload', () => {
    expect(setServerState('app', 'web1', 'drain')).toBe('set server app/web1 state drain');
    expect(setServerState('be_api.v2', 'web-1:a', 'maint')).toBe('set server be_api.v2/web-1:a state maint');
    expect(setServerState('app', 'web1', 'ready')).toBe('set server app/web1 state ready');
    expect(showStat()).toBe('show stat');
    expect(showStat('app')).toBe('show stat app 4 -1');
    expect(runtimePayload(showStat())).toBe('show stat\n');
  });

  it.each([
    ['app;', 'web1'],
    ['app', 'web1; set server app/web2 state maint'],
    ['app', 'web1\nshow stat'],
    ['app', 'web 1'],
    ['app/x', 'web1'],
    ['', 'web1'],
    ['app', ''],
    ['app', 'web1\r'],
  ])('refuses backend %j server %j as a usage error', (backend, server) => {
    expect(() => setServerState(backend, server, 'drain')).toThrow(UsageError);
    expect(() => setServerState(backend, server, 'drain')).toThrow(/invalid haproxy (backend|server) name/);
  });

  it('refuses a bad backend for show stat', () => {
    expect(() => showStat('app 1')).toThrow(UsageError);
  });
});

describe('runtime replies (haproxy 2.6.12 real output)', () => {
  it('an empty reply is success, any text is a refusal', () => {
    expect(parseSetReply(fixture('reply-ok.txt'))).toEqual({ ok: true });
    expect(parseSetReply(fixture('reply-no-such-server.txt'))).toEqual({ ok: false, message: 'No such server.' });
    expect(parseSetReply(fixture('reply-require-backend-server.txt'))).toEqual({
      ok: false,
      message: "Require 'backend/server'.",
    });
    expect(parseSetReply(fixture('reply-bad-state.txt'))).toMatchObject({ ok: false });
  });

  it.each([
    ['\n', 1, true],
    ['', 1, false],
    ['No such server.\n\n', 1, true],
    ['No such server.\n', 1, false],
    ['# pxname,svname\napp,web1\n\n', 1, true],
    ['# pxname,svname\napp,web1\n', 1, false],
    ['\n# pxname,svname\napp,web1\n\n', 2, true],
    ['\n# pxname,svname\napp,web1\n', 2, false],
    ['No such server.\n\n# pxname\n\n', 2, true],
  ])('completeness: %j after %i command(s) → %s', (text, n, complete) => {
    expect(runtimeReplyComplete(text, n)).toBe(complete);
  });
});

const summary = (csv: string) =>
  parseShowStat(fixture(csv))
    .filter((r) => r.type === 'server')
    .map((r) => {
      const moving = r.transition ? ` ${r.transition.step}/${r.transition.of}` : '';
      return `${r.pxname}/${r.svname} ${r.state}${moving} scur=${r.scur} w=${r.weight} chk=${r.checkStatus ?? '-'}`;
    });

describe('parseShowStat (haproxy 2.6.12 real output)', () => {
  it('all servers up: every row typed, frontend/backend/server told apart', () => {
    const rows = parseShowStat(fixture('stat-all-up.csv'));
    expect(rows.map((r) => `${r.pxname}/${r.svname}:${r.type}:${r.status}`)).toEqual([
      'fe/FRONTEND:frontend:OPEN',
      'app/web1:server:UP',
      'app/web2:server:UP',
      'app/web3:server:UP',
      'app/BACKEND:backend:UP',
      'other/solo:server:DOWN',
      'other/nocheck:server:no check',
      'other/off:server:MAINT',
      'other/BACKEND:backend:UP',
    ]);
    const web2 = findServerStat(rows, 'app', 'web2');
    expect(web2?.weight).toBe(50);
    expect(web2?.addr).toBe('127.0.0.1:27102');
    expect(web2?.checkDesc).toBe('Layer7 check passed');
    expect(findServerStat(rows, 'app', 'BACKEND')).toBeUndefined();
    expect(findServerStat(rows, 'other', 'solo')?.checkStatus).toBe('L4CON');
    expect(rows.find((r) => r.svname === 'BACKEND' && r.pxname === 'app')?.weight).toBe(52);
    expect(rows[0]?.weight).toBeUndefined();
  });

  it('drain, maint and a server coming back (UP 1/3)', () => {
    expect(summary('stat-mixed.csv')).toEqual([
      'app/web1 DRAIN scur=0 w=1 chk=L7OK',
      'app/web2 MAINT scur=0 w=50 chk=-',
      'app/web3 UP scur=0 w=1 chk=L7OK',
      'other/solo DOWN scur=0 w=1 chk=L4CON',
      'other/nocheck NO CHECK scur=0 w=1 chk=-',
      'other/off MAINT scur=0 w=1 chk=-',
    ]);
    expect(summary('stat-after-ready.csv').slice(0, 3)).toEqual([
      'app/web1 DRAIN scur=0 w=1 chk=L7OK',
      'app/web2 UP 1/3 scur=0 w=50 chk=L7OK',
      'app/web3 UP scur=0 w=1 chk=L7OK',
    ]);
  });

  it('a drained server still holding sessions reports them in scur', () => {
    const rows = parseShowStat(fixture('stat-drain-busy.csv'));
    expect(findServerStat(rows, 'app', 'web1')).toMatchObject({ state: 'DRAIN', scur: 4 });
    expect(findServerStat(rows, 'app', 'web2')?.scur).toBe(0);
  });

  it('health forced down; a check in flight is flagged, not part of the status', () => {
    const rows = parseShowStat(fixture('stat-health-down.csv'));
    expect(findServerStat(rows, 'app', 'web3')?.state).toBe('DOWN');
    expect(findServerStat(rows, 'app', 'web2')).toMatchObject({ state: 'UP', checkRunning: false });
    // captured with a check in flight on other/solo: raw `* L4CON`
    expect(rows.find((r) => r.svname === 'solo')?.fields.check_status).toBe('* L4CON');
    expect(findServerStat(rows, 'other', 'solo')).toMatchObject({
      checkStatus: 'L4CON',
      checkRunning: true,
      state: 'DOWN',
    });
  });

  it('an error reply fails naming the LB host, instead of returning no rows', () => {
    const err = (() => {
      try {
        parseShowStat(fixture('reply-unknown-command.txt'), 'lb1');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(FailedError);
    expect(err).toMatchObject({
      host: 'lb1',
      message: expect.stringMatching(/^\[lb1\] not a haproxy 'show stat' reply/),
    });
    expect(() => parseShowStat('')).toThrow(FailedError);
    expect(() => parseShowStat('# a,b\n')).toThrow(/unexpected 'show stat' header/);
  });

  it('splits quoted CSV fields', () => {
    expect(splitCsvLine('a,"b,c",,"d ""e"""')).toEqual(['a', 'b,c', '', 'd "e"']);
  });
});
