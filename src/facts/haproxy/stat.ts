import type { Fact } from '../fact.js';
import { splitCsvLine } from './csv.js';
import { runtimeQueryCommand } from './query.js';

export type StatType = 'frontend' | 'backend' | 'server' | 'listener';

/** The first word of `status`: what HAProxy says about a proxy or server. */
export type StatStatus = 'UP' | 'DOWN' | 'NOLB' | 'MAINT' | 'DRAIN' | 'OPEN' | 'FULL' | 'STOP' | 'NO CHECK' | 'UNKNOWN';

export interface StatRow {
  readonly pxname: string;
  readonly svname: string;
  readonly type: StatType;
  /** raw status text, e.g. `UP`, `UP 1/3`, `DOWN 1/2`, `MAINT`, `MAINT (via app/web1)`, `DRAIN`, `no check` */
  readonly status: string;
  readonly state: StatStatus;
  /** `UP 1/3` (going down: 1 failed check of 3) or `DOWN 1/2` (going up) */
  readonly transition: { readonly step: number; readonly of: number } | undefined;
  /** current sessions: the number a drain waits to reach 0 */
  readonly scur: number;
  readonly smax: number;
  readonly stot: number;
  readonly qcur: number;
  /** effective weight (servers) or sum of weights (backends); undefined for frontends */
  readonly weight: number | undefined;
  /** e.g. `L7OK`, `L4CON`; undefined when the server has no check or is in maint */
  readonly checkStatus: string | undefined;
  /** a check was in flight when the line was written (HAProxy prefixes `* `) */
  readonly checkRunning: boolean;
  readonly checkDesc: string | undefined;
  /** seconds since the last UP/DOWN transition */
  readonly lastchg: number | undefined;
  readonly addr: string | undefined;
  /** every column by its header name, as text */
  readonly fields: Readonly<Record<string, string>>;
}

const TYPES: readonly StatType[] = ['frontend', 'backend', 'server', 'listener'];
const STATES: readonly StatStatus[] = ['UP', 'DOWN', 'NOLB', 'MAINT', 'DRAIN', 'OPEN', 'FULL', 'STOP'];

function int(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  return Number.isInteger(n) ? n : undefined;
}

function parseStatus(status: string): Pick<StatRow, 'state' | 'transition'> {
  if (status.toLowerCase() === 'no check') return { state: 'NO CHECK', transition: undefined };
  const m = /^([A-Z]+)(?: (\d+)\/(\d+))?/.exec(status);
  const word = m?.[1] ?? '';
  const state = (STATES as readonly string[]).includes(word) ? (word as StatStatus) : 'UNKNOWN';
  const transition = m?.[2] !== undefined && m[3] !== undefined ? { step: Number(m[2]), of: Number(m[3]) } : undefined;
  return { state, transition };
}

/** Parse the CSV of `show stat` (header line `# pxname,svname,…`). Throws on anything else. */
export function parseShowStat(stdout: string): StatRow[] {
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  const head = lines[0];
  if (head === undefined || !head.startsWith('# ')) {
    throw new Error(`not a haproxy 'show stat' reply: ${JSON.stringify(stdout.slice(0, 200))}`);
  }
  const names = splitCsvLine(head.slice(2));
  if (names[0] !== 'pxname' || names[1] !== 'svname') throw new Error(`unexpected 'show stat' header: ${head.slice(0, 200)}`);
  return lines.slice(1).map((l) => {
    const values = splitCsvLine(l);
    const fields: Record<string, string> = {};
    names.forEach((n, i) => {
      if (n !== '' && n !== '-') fields[n] = values[i] ?? '';
    });
    const rawCheck = fields['check_status'] ?? '';
    const checkRunning = rawCheck.startsWith('* ');
    const check = checkRunning ? rawCheck.slice(2) : rawCheck;
    const status = fields['status'] ?? '';
    return {
      pxname: fields['pxname'] ?? '',
      svname: fields['svname'] ?? '',
      type: TYPES[int(fields['type']) ?? -1] ?? 'server',
      status,
      ...parseStatus(status),
      scur: int(fields['scur']) ?? 0,
      smax: int(fields['smax']) ?? 0,
      stot: int(fields['stot']) ?? 0,
      qcur: int(fields['qcur']) ?? 0,
      weight: int(fields['weight']),
      checkStatus: check === '' ? undefined : check,
      checkRunning,
      checkDesc: fields['check_desc'] || undefined,
      lastchg: int(fields['lastchg']),
      addr: fields['addr'] || undefined,
      fields,
    };
  });
}

/** The row of one server, or undefined. */
export function findServerStat(rows: readonly StatRow[], backend: string, server: string): StatRow | undefined {
  return rows.find((r) => r.type === 'server' && r.pxname === backend && r.svname === server);
}

/** Takes new traffic: UP (even `UP 1/3`, which is up with a failed check) and not drained/maint. */
export function isServing(row: StatRow): boolean {
  return row.state === 'UP' || row.state === 'NO CHECK';
}

export function showStatFact(socket: string): Fact<StatRow[]> {
  return { name: 'haproxy-stat', command: runtimeQueryCommand(socket, 'show stat'), parse: parseShowStat };
}
