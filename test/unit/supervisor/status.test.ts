import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSupervisorStatus, parseUptime, supervisorStatusFact } from '../../../src/facts/supervisor/status.js';
import { render } from '../../../src/shell/command.js';

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/supervisor/${name}`, import.meta.url), 'utf8');
const rc = (name: string): number => Number(fixture(`${name}.rc`).trim());

describe('parseSupervisorStatus (supervisor 4.2.5 real output)', () => {
  it('every state seen on a real supervisord', () => {
    const rows = parseSupervisorStatus(fixture('status-all.txt'));
    expect(rows.map((r) => `${r.name} ${r.state} pid=${r.pid ?? '-'} up=${r.uptimeSeconds ?? '-'}`)).toEqual([
      'crashy FATAL pid=- up=-',
      'flappy BACKOFF pid=- up=-',
      'manual STOPPED pid=- up=-',
      'oneshot EXITED pid=- up=-',
      'pool:pool_00 RUNNING pid=527 up=4',
      'pool:pool_01 RUNNING pid=528 up=4',
      'slowstart STARTING pid=- up=-',
      'web RUNNING pid=533 up=4',
    ]);
    expect(rows[0]?.description).toBe('Exited too quickly (process log may have details)');
    expect(rows[2]?.description).toBe('Not started');
    expect(rows[4]).toMatchObject({ group: 'pool', process: 'pool_00' });
    expect(rows[7]).toMatchObject({ group: 'web', process: 'web', description: 'pid 533, uptime 0:00:04' });
    expect(rc('status-all')).toBe(3);
  });

  it('right after startup; one program; a group; after an update', () => {
    expect(parseSupervisorStatus(fixture('status-starting.txt')).map((r) => r.state)).toEqual([
      'BACKOFF', 'STARTING', 'STOPPED', 'STARTING', 'STARTING', 'STARTING', 'STARTING', 'STARTING',
    ]);
    expect(parseSupervisorStatus(fixture('status-web.txt'))).toEqual([
      { name: 'web', group: 'web', process: 'web', state: 'RUNNING', description: 'pid 533, uptime 0:00:04', pid: 533, uptimeSeconds: 4 },
    ]);
    expect(rc('status-web')).toBe(0);
    expect(parseSupervisorStatus(fixture('status-pool.txt')).map((r) => r.name)).toEqual(['pool:pool_00', 'pool:pool_01']);
    expect(parseSupervisorStatus(fixture('status-crashy.txt'))[0]?.state).toBe('FATAL');
    const after = parseSupervisorStatus(fixture('status-after-update.txt'));
    expect(after.find((r) => r.name === 'added')?.state).toBe('RUNNING');
    expect(after.find((r) => r.name === 'web')?.pid).toBe(2575);
  });

  it('an unknown program is an error, not a stopped program', () => {
    expect(rc('status-nosuch')).toBe(4);
    expect(() => parseSupervisorStatus(fixture('status-nosuch.txt'))).toThrow('supervisorctl: nosuch: no such process');
    expect(() => parseSupervisorStatus('unix:///run/supervisor.sock no such file\n')).toThrow(/unexpected supervisorctl status line/);
    expect(() => parseSupervisorStatus(fixture('restart-web.txt'))).toThrow();
    expect(parseSupervisorStatus('')).toEqual([]);
  });

  it('uptime as Python prints a timedelta', () => {
    expect(parseUptime('0:00:04')).toBe(4);
    expect(parseUptime('12:34:56')).toBe(12 * 3600 + 34 * 60 + 56);
    expect(parseUptime('1 day, 0:00:01')).toBe(86_401);
    expect(parseUptime('3 days, 2:00:00')).toBe(3 * 86_400 + 7200);
    expect(parseUptime('soon')).toBeUndefined();
  });

  it('fact tolerates exit 3 only', () => {
    const fact = supervisorStatusFact({ conf: '/etc/supervisor/supervisord.conf' }, ['web']);
    expect(render(fact.command, { masked: true })).toBe('supervisorctl -c /etc/supervisor/supervisord.conf status web || [ $? -eq 3 ]');
    expect(() => supervisorStatusFact({}, ['-x'])).toThrow();
  });
});
