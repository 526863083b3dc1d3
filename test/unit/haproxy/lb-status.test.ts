import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseShowStat } from '../../../src/ops/haproxy/runtime.js';
import { backendStatuses, formatLbStatus, nagiosLine } from '../../../src/ops/haproxy/lb-status.js';
import { maintenanceMode, setMaintenance } from '../../../src/ops/haproxy/maintenance.js';

const fixture = (name: string) =>
  parseShowStat(readFileSync(new URL(`../../fixtures/haproxy/${name}`, import.meta.url), 'utf8'));
const allUp = fixture('stat-all-up.csv');
// web3 DOWN, the maintenance switch of backend app on (capture-errors.sh)
const maint = fixture('stat-maintenance.csv');

describe('ferry lb status', () => {
  it('per backend: servers UP/total, state, sessions; the maintenance switch is not a backend', () => {
    const s = backendStatuses('lb1', maint);
    expect(s.map((b) => b.backend)).toEqual(['app']);
    expect(s[0]).toMatchObject({ lb: 'lb1', up: 2, total: 3, state: 'WARNING', maintenance: true });
    expect(s[0]?.servers.map((v) => [v.server, v.status, v.up])).toEqual([
      ['web1', 'UP', true],
      ['web2', 'UP', true],
      ['web3', 'DOWN', false],
    ]);
    expect(s[0]?.responses).toBe(120);
    expect(s[0]?.errors).toBe(6);
    expect(formatLbStatus(s)).toMatch(/lb1 +app +WARNING \(maintenance page on\) +2\/3 +0 +5\.00% +120/);
  });

  it('reads the switch position and builds its runtime lines', () => {
    expect(maintenanceMode(maint, 'app')).toBe('on');
    expect(maintenanceMode(allUp, 'app')).toBeUndefined();
    const off = maint.map((r) =>
      r.pxname === 'ferry_maintenance' && r.type === 'server' ? { ...r, state: 'MAINT' as const } : r,
    );
    expect(maintenanceMode(off, 'app')).toBe('off');
    expect(setMaintenance('demo', 'on')).toBe('set server ferry_maintenance/demo state ready');
    expect(setMaintenance('demo', 'off')).toBe('set server ferry_maintenance/demo state maint');
  });
});

describe('the Nagios line', () => {
  const base = backendStatuses('lb1', allUp, ['app']);

  it('all UP: OK, exit 0, with perfdata', () => {
    const n = nagiosLine(base);
    expect(n.code).toBe(0);
    expect(n.line).toMatch(
      /^HAPROXY OK - lb1\/app \d+\/\d+ UP \| 'lb1\/app_up'=\d+;;;0;\d+ 'lb1\/app_sessions'=\d+;;;0 'lb1\/app_5xx'=[\d.]+%;;;0;100/,
    );
    expect(n.line.split('\n')).toHaveLength(1);
  });

  it('some not UP: WARNING, exit 1, naming them', () => {
    const s = base.map((b) => ({
      ...b,
      up: b.total - 1,
      state: 'WARNING' as const,
      servers: b.servers.map((v, i) => (i === 0 ? { ...v, up: false, status: 'DOWN' } : v)),
    }));
    const n = nagiosLine(s);
    expect(n.code).toBe(1);
    expect(n.line).toMatch(/^HAPROXY WARNING - lb1\/app \d+\/\d+ UP \(\S+ DOWN\)/);
  });

  it('the worst backend of every LB wins; none UP, no backend or an unreadable LB: CRITICAL, exit 2', () => {
    const none = base.map((b) => ({ ...b, up: 0, state: 'CRITICAL' as const }));
    expect(nagiosLine([...base, ...none.map((b) => ({ ...b, lb: 'lb2' }))]).code).toBe(2);
    expect(nagiosLine([]).line).toBe('HAPROXY CRITICAL - no backend found');
    const f = nagiosLine(base, [{ lb: 'lb2', error: 'connection refused\nmore' }]);
    expect(f.code).toBe(2);
    expect(f.line).toContain('lb2: connection refused');
  });

  it("a server without checks counts as UP; DOWN, MAINT don't", () => {
    const other = backendStatuses('lb1', allUp, ['other'])[0];
    expect(other).toMatchObject({ up: 1, total: 3, state: 'WARNING' });
  });

  it('a backend without servers is CRITICAL', () => {
    const s = backendStatuses(
      'lb1',
      allUp.filter((r) => r.type !== 'server'),
    );
    expect(s.every((b) => b.state === 'CRITICAL' && b.total === 0)).toBe(true);
  });
});
