import { FailedError } from '../../errors/failed-error.js';
import { splitCsvLine } from './csv.js';
import { assertName } from './names.js';
import { countersOf, type StatCounters } from './counters.js';

/**
 * The HAProxy runtime API (the admin socket's line protocol): the lines ferry sends, the bytes
 * that carry them, and the parsers of their replies. The socket is reached over an SSH
 * stream-local forward (HostSession.request); saving server state uses socat (config.ts).
 */

/** One HAProxy runtime API command, without its trailing newline. Built only by the functions below. */
export type RuntimeLine = string & { readonly __haproxyRuntimeLine: true };

/** Administrative state set with `set server <b>/<s> state …`. */
export type AdminState = 'ready' | 'drain' | 'maint';

function line(text: string): RuntimeLine {
  return text as RuntimeLine;
}

/** `set server <b>/<s> state ready|drain|maint`: success is an empty reply. */
export function setServerState(backend: string, server: string, state: AdminState): RuntimeLine {
  return line(`set server ${assertName('backend', backend)}/${assertName('server', server)} state ${state}`);
}

/**
 * `show stat`: CSV of every proxy and server; with a backend, `show stat <backend> 4 -1`: only
 * that backend's servers (type 4), a reply that stays small.
 */
export function showStat(backend?: string): RuntimeLine {
  return line(backend === undefined ? 'show stat' : `show stat ${assertName('backend', backend)} 4 -1`);
}

/** The bytes to write to the socket for one command. */
export function runtimePayload(l: RuntimeLine): string {
  return `${l}\n`;
}

/**
 * What a `set …` runtime command answered. HAProxy reports success with an empty reply (one
 * newline) and failure with a message ("No such server.", "Require 'backend/server'.", …) while
 * the connection itself succeeds, so the reply text is the only signal.
 */
export type RuntimeReply = { readonly ok: true } | { readonly ok: false; readonly message: string };

export function parseSetReply(reply: string): RuntimeReply {
  const message = reply.trim();
  return message === '' ? { ok: true } : { ok: false, message };
}

/**
 * Whether the reply to `commands` runtime commands sent as one `;`-chained line is complete.
 * HAProxy ends every command's output with an empty line (an empty output is that line alone),
 * and the outputs ferry asks for (set, show stat) have no empty line inside. Knowing this lets a
 * caller stop at the last terminator instead of waiting for the socket's EOF, which sshd may hold
 * back ~40 ms (Nagle against the client's delayed ACK) on a forwarded stream.
 */
export function runtimeReplyComplete(text: string, commands: number): boolean {
  let ends = 0;
  let lineStart = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) !== 10) continue;
    if (i === lineStart) ends += 1;
    lineStart = i + 1;
  }
  return ends >= commands;
}

export type StatType = 'frontend' | 'backend' | 'server' | 'listener';

/** The first word of `status`: what HAProxy says about a proxy or server. */
export type StatStatus = 'UP' | 'DOWN' | 'NOLB' | 'MAINT' | 'DRAIN' | 'OPEN' | 'FULL' | 'STOP' | 'NO CHECK' | 'UNKNOWN';

/** One row of `show stat`. */
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
  /** response and error counters, cumulative since the process started (the error-rate gate's input) */
  readonly counters: StatCounters;
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

/**
 * Parse the CSV of `show stat` (header line `# pxname,svname,…`). Anything else (an error reply
 * such as "Permission denied.") fails, naming the LB host when given.
 */
export function parseShowStat(stdout: string, host?: string): StatRow[] {
  const fail = (why: string) => new FailedError(why, host);
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  const head = lines[0];
  if (head === undefined || !head.startsWith('# ')) {
    throw fail(`not a haproxy 'show stat' reply: ${JSON.stringify(stdout.slice(0, 200))}`);
  }
  const names = splitCsvLine(head.slice(2));
  if (names[0] !== 'pxname' || names[1] !== 'svname') {
    throw fail(`unexpected 'show stat' header: ${head.slice(0, 200)}`);
  }
  return lines.slice(1).map((l) => {
    const values = splitCsvLine(l);
    const fields: Record<string, string> = {};
    names.forEach((n, i) => {
      if (n !== '' && n !== '-') fields[n] = values[i] ?? '';
    });
    const rawCheck = fields.check_status ?? '';
    const checkRunning = rawCheck.startsWith('* ');
    const check = checkRunning ? rawCheck.slice(2) : rawCheck;
    const status = fields.status ?? '';
    return {
      pxname: fields.pxname ?? '',
      svname: fields.svname ?? '',
      type: TYPES[int(fields.type) ?? -1] ?? 'server',
      status,
      ...parseStatus(status),
      scur: int(fields.scur) ?? 0,
      smax: int(fields.smax) ?? 0,
      stot: int(fields.stot) ?? 0,
      qcur: int(fields.qcur) ?? 0,
      weight: int(fields.weight),
      checkStatus: check === '' ? undefined : check,
      checkRunning,
      checkDesc: fields.check_desc || undefined,
      lastchg: int(fields.lastchg),
      addr: fields.addr || undefined,
      counters: countersOf(fields),
      fields,
    };
  });
}

/** The row of one server, or undefined. */
export function findServerStat(rows: readonly StatRow[], backend: string, server: string): StatRow | undefined {
  return rows.find((r) => r.type === 'server' && r.pxname === backend && r.svname === server);
}
