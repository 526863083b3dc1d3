import type { Fact } from '../fact.js';
import { assertBackendName, runtimeQueryCommand } from './query.js';

/** srv_op_state */
export type OpState = 'stopped' | 'starting' | 'running' | 'stopping';
const OP_STATES: readonly OpState[] = ['stopped', 'starting', 'running', 'stopping'];

/** srv_admin_state bits (haproxy 2.6 include/haproxy/server-t.h, enum srv_admin). */
export const ADMIN = {
  /** forced maintenance (`set server … state maint`) */
  FMAINT: 0x01,
  /** maintenance inherited from a tracked server */
  IMAINT: 0x02,
  /** maintenance from the configuration (`disabled`) */
  CMAINT: 0x04,
  /** forced drain (`set server … state drain`) */
  FDRAIN: 0x08,
  /** drain inherited from a tracked server */
  IDRAIN: 0x10,
  /** maintenance after an address resolution failure */
  RMAINT: 0x20,
  /** FQDN changed from the runtime API (not a state) */
  FQDN_CHANGED: 0x40,
} as const;

export type AdminFlag = keyof typeof ADMIN;

export interface ServerState {
  readonly backendId: number;
  readonly backend: string;
  readonly serverId: number;
  readonly server: string;
  readonly addr: string;
  readonly port: number | undefined;
  readonly opState: OpState;
  readonly opStateCode: number;
  readonly adminStateCode: number;
  readonly adminFlags: readonly AdminFlag[];
  /** what the stats page would call the admin state: MAINT wins over DRAIN */
  readonly admin: 'MAINT' | 'DRAIN' | 'READY';
  readonly uweight: number;
  readonly iweight: number;
  readonly secondsSinceChange: number;
  /** every column by its header name, as text */
  readonly fields: Readonly<Record<string, string>>;
}

function num(text: string | undefined, what: string, line: string): number {
  const n = Number(text);
  if (text === undefined || text === '' || !Number.isInteger(n)) throw new Error(`'show servers state': bad ${what} ${JSON.stringify(text)} in: ${line}`);
  return n;
}

export function decodeAdminState(code: number): { flags: AdminFlag[]; admin: ServerState['admin'] } {
  const flags = (Object.keys(ADMIN) as AdminFlag[]).filter((f) => (code & ADMIN[f]) !== 0);
  const maint = code & (ADMIN.FMAINT | ADMIN.IMAINT | ADMIN.CMAINT | ADMIN.RMAINT);
  const drain = code & (ADMIN.FDRAIN | ADMIN.IDRAIN);
  return { flags, admin: maint ? 'MAINT' : drain ? 'DRAIN' : 'READY' };
}

/**
 * Parse `show servers state [<backend>]` (and the server-state file, which has the same format):
 * the version line `1`, a `# be_id be_name …` header, one space-separated line per server.
 * Throws on an error reply such as "Can't find backend.".
 */
export function parseServersState(stdout: string): ServerState[] {
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  if (lines[0]?.trim() !== '1') throw new Error(`not a haproxy 'show servers state' reply (version 1): ${JSON.stringify(stdout.slice(0, 200))}`);
  const head = lines[1];
  if (head === undefined || !head.startsWith('# be_id ')) throw new Error(`'show servers state': missing header: ${JSON.stringify(stdout.slice(0, 200))}`);
  const names = head.slice(2).trim().split(/\s+/);
  return lines.slice(2).map((l) => {
    const values = l.trim().split(/\s+/);
    const fields: Record<string, string> = {};
    names.forEach((n, i) => {
      fields[n] = values[i] ?? '';
    });
    const opStateCode = num(fields['srv_op_state'], 'srv_op_state', l);
    const opState = OP_STATES[opStateCode];
    if (opState === undefined) throw new Error(`'show servers state': unknown srv_op_state ${opStateCode} in: ${l}`);
    const adminStateCode = num(fields['srv_admin_state'], 'srv_admin_state', l);
    const { flags, admin } = decodeAdminState(adminStateCode);
    const port = Number(fields['srv_port']);
    return {
      backendId: num(fields['be_id'], 'be_id', l),
      backend: fields['be_name'] ?? '',
      serverId: num(fields['srv_id'], 'srv_id', l),
      server: fields['srv_name'] ?? '',
      addr: fields['srv_addr'] ?? '',
      port: Number.isInteger(port) && port > 0 ? port : undefined,
      opState,
      opStateCode,
      adminStateCode,
      adminFlags: flags,
      admin,
      uweight: num(fields['srv_uweight'], 'srv_uweight', l),
      iweight: num(fields['srv_iweight'], 'srv_iweight', l),
      secondsSinceChange: num(fields['srv_time_since_last_change'], 'srv_time_since_last_change', l),
      fields,
    };
  });
}

export function findServerState(states: readonly ServerState[], backend: string, server: string): ServerState | undefined {
  return states.find((s) => s.backend === backend && s.server === server);
}

export function serversStateFact(socket: string, backend?: string): Fact<ServerState[]> {
  const line = backend === undefined ? 'show servers state' : (`show servers state ${assertBackendName(backend)}` as const);
  return { name: 'haproxy-servers-state', command: runtimeQueryCommand(socket, line), parse: parseServersState };
}
