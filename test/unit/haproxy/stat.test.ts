import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findServerStat, isServing, parseShowStat, showStatFact } from '../../../src/facts/haproxy/stat.js';
import { splitCsvLine } from '../../../src/facts/haproxy/csv.js';
import { render } from '../../../src/shell/command.js';

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/haproxy/${name}`, import.meta.url), 'utf8');

const summary = (csv: string) =>
  parseShowStat(fixture(csv))
    .filter((r) => r.type === 'server')
    .map((r) => `${r.pxname}/${r.svname} ${r.state}${r.transition ? ` ${r.transition.step}/${r.transition.of}` : ''} scur=${r.scur} w=${r.weight} chk=${r.checkStatus ?? '-'}`);

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
    const web1 = findServerStat(rows, 'app', 'web1');
    expect(web1?.state).toBe('DRAIN');
    expect(web1?.scur).toBe(4);
    expect(web1 && isServing(web1)).toBe(false);
    expect(findServerStat(rows, 'app', 'web2')?.scur).toBe(0);
  });

  it('health forced down; a check in flight is flagged, not part of the status', () => {
    const rows = parseShowStat(fixture('stat-health-down.csv'));
    expect(findServerStat(rows, 'app', 'web3')?.state).toBe('DOWN');
    const web2 = findServerStat(rows, 'app', 'web2');
    expect(web2?.checkRunning).toBe(false);
    expect(web2 && isServing(web2)).toBe(true);
    // captured with a check in flight on other/solo: raw `* L4CON`
    expect(rows.find((r) => r.svname === 'solo')?.fields['check_status']).toBe('* L4CON');
    expect(findServerStat(rows, 'other', 'solo')).toMatchObject({ checkStatus: 'L4CON', checkRunning: true, state: 'DOWN' });
  });

  it('refuses an error reply instead of returning no rows', () => {
    expect(() => parseShowStat(fixture('reply-unknown-command.txt'))).toThrow(/not a haproxy 'show stat' reply/);
    expect(() => parseShowStat('')).toThrow();
  });

  it('splits quoted CSV fields', () => {
    expect(splitCsvLine('a,"b,c",,"d ""e"""')).toEqual(['a', 'b,c', '', 'd "e"']);
  });

  it('fact: printf builtin pipes the constant line into socat', () => {
    const fact = showStatFact('/run/haproxy/admin.sock');
    expect(render(fact.command, { masked: true })).toBe(
      "printf '%s\\n' 'show stat' | socat -t 10 -T 30 - UNIX-CONNECT:/run/haproxy/admin.sock",
    );
    expect(() => showStatFact('/run/x.sock,fork')).toThrow();
    expect(() => showStatFact('relative.sock')).toThrow();
  });
});
