import { errorShare, errorsOf, formatShare, responsesOf } from './counters.js';
import { MAINTENANCE_BACKEND, maintenanceMode } from './maintenance.js';
import type { StatRow } from './runtime.js';

/** Nagios plugin states, in exit-code order (check_haproxy's convention). */
export type NagiosState = 'OK' | 'WARNING' | 'CRITICAL';
const CODE: Readonly<Record<NagiosState, number>> = { OK: 0, WARNING: 1, CRITICAL: 2 };

export interface ServerStatus {
  readonly server: string;
  /** HAProxy's status text: `UP`, `DOWN`, `MAINT`, `DRAIN`, `UP 1/2` … */
  readonly status: string;
  readonly up: boolean;
  readonly sessions: number;
  readonly responses: number;
  readonly share: number | undefined;
}

/** One backend on one LB, as `ferry lb status` shows it. */
export interface BackendStatus {
  readonly lb: string;
  readonly backend: string;
  /** all servers UP: OK; some not UP (or the maintenance page on): WARNING; none UP or no server: CRITICAL */
  readonly state: NagiosState;
  readonly up: number;
  readonly total: number;
  readonly sessions: number;
  /** HTTP responses and 5xx since the LB's HAProxy started (its counters are cumulative) */
  readonly responses: number;
  readonly errors: number;
  readonly share: number | undefined;
  /** `ferry maintenance on` holds for this backend */
  readonly maintenance: boolean;
  readonly servers: readonly ServerStatus[];
}

/**
 * A server takes new traffic: UP (also while a check counter moves: `UP 1/2`), or a server
 * without checks (`no check`) out of maint. DOWN, DRAIN and MAINT do not.
 */
const isUp = (r: StatRow) => r.state === 'UP' || r.state === 'NO CHECK';

/** The backends of one LB's `show stat` (without ferry's maintenance switch), optionally only `only`. */
export function backendStatuses(lb: string, rows: readonly StatRow[], only?: readonly string[]): BackendStatus[] {
  const names = rows
    .filter((r) => r.type === 'backend' && r.pxname !== MAINTENANCE_BACKEND)
    .map((r) => r.pxname)
    .filter((n) => !only || only.includes(n));
  return names.map((backend) => {
    const be = rows.find((r) => r.type === 'backend' && r.pxname === backend);
    const servers = rows
      .filter((r) => r.type === 'server' && r.pxname === backend)
      .map((r) => ({
        server: r.svname,
        status: r.status,
        up: isUp(r),
        sessions: r.scur,
        responses: responsesOf(r.counters),
        share: errorShare(r.counters),
      }));
    const up = servers.filter((s) => s.up).length;
    const maintenance = maintenanceMode(rows, backend) === 'on';
    const state: NagiosState = up === 0 ? 'CRITICAL' : up < servers.length || maintenance ? 'WARNING' : 'OK';
    const c = be?.counters;
    return {
      lb,
      backend,
      state,
      up,
      total: servers.length,
      sessions: be?.scur ?? servers.reduce((a, s) => a + s.sessions, 0),
      responses: c ? responsesOf(c) : 0,
      errors: c ? errorsOf(c) : 0,
      share: c ? errorShare(c) : undefined,
      maintenance,
      servers,
    };
  });
}

/** An LB whose `show stat` could not be read. */
export interface LbFailure {
  readonly lb: string;
  readonly error: string;
}

/**
 * The Nagios/Icinga plugin answer: one line `HAPROXY <STATE> - <what> | <perfdata>` and the exit
 * code (0 OK, 1 WARNING, 2 CRITICAL), the worst over every backend of every LB. An LB that
 * cannot be read is CRITICAL (its traffic is not served), as is no backend at all.
 */
export function nagiosLine(
  statuses: readonly BackendStatus[],
  failures: readonly LbFailure[] = [],
): {
  line: string;
  code: number;
} {
  const states: NagiosState[] = [...statuses.map((s) => s.state), ...failures.map((): NagiosState => 'CRITICAL')];
  if (states.length === 0) states.push('CRITICAL');
  const worst = states.reduce<NagiosState>((w, s) => (CODE[s] > CODE[w] ? s : w), 'OK');
  const parts = statuses.map((s) => {
    const out = s.servers.filter((v) => !v.up).map((v) => `${v.server} ${v.status}`);
    const notes = [...out, ...(s.maintenance ? ['maintenance page on'] : [])];
    return `${s.lb}/${s.backend} ${s.up}/${s.total} UP${notes.length ? ` (${notes.join(', ')})` : ''}`;
  });
  for (const f of failures) parts.push(`${f.lb}: ${f.error.split('\n')[0]}`);
  if (parts.length === 0) parts.push('no backend found');
  const perf = statuses.flatMap((s) => {
    const label = (what: string) => `'${s.lb}/${s.backend}_${what}'`;
    const pct = s.share === undefined ? '0' : (s.share * 100).toFixed(2);
    return [
      `${label('up')}=${s.up};;;0;${s.total}`,
      `${label('sessions')}=${s.sessions};;;0`,
      `${label('5xx')}=${pct}%;;;0;100`,
    ];
  });
  return {
    line: `HAPROXY ${worst} - ${parts.join('; ')}${perf.length ? ` | ${perf.join(' ')}` : ''}`,
    code: CODE[worst],
  };
}

/** The `ferry lb status` table: a line per backend, then one per server. */
export function formatLbStatus(statuses: readonly BackendStatus[], failures: readonly LbFailure[] = []): string {
  const head = ['LB', 'BACKEND/SERVER', 'STATE', 'UP', 'SESSIONS', '5XX SHARE', 'RESPONSES'];
  const body: string[][] = [];
  for (const s of statuses) {
    const state = `${s.state}${s.maintenance ? ' (maintenance page on)' : ''}`;
    body.push([
      s.lb,
      s.backend,
      state,
      `${s.up}/${s.total}`,
      String(s.sessions),
      formatShare(s.share),
      String(s.responses),
    ]);
    for (const v of s.servers)
      body.push(['', `  ${v.server}`, v.status, '', String(v.sessions), formatShare(v.share), String(v.responses)]);
  }
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const lines = [line(head), ...body.map(line)];
  for (const f of failures) lines.push(`${f.lb}: ERROR ${f.error}`);
  return `${lines.join('\n')}\n`;
}
