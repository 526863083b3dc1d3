import { assertName } from './names.js';

/** One HAProxy runtime API command, without its trailing newline. Built only by the functions below. */
export type RuntimeLine = string & { readonly __haproxyRuntimeLine: true };

/** Administrative state set with `set server <b>/<s> state …`. */
export type AdminState = 'ready' | 'drain' | 'maint';
/** Operational state forced with `set server <b>/<s> health …` (checks may override it later). */
export type HealthState = 'up' | 'stopping' | 'down';
export type AgentState = 'up' | 'down';

function line(text: string): RuntimeLine {
  return text as RuntimeLine;
}

function target(backend: string, server: string): string {
  return `${assertName('backend', backend)}/${assertName('server', server)}`;
}

/** `set server <b>/<s> state ready|drain|maint`: success is an empty reply. */
export function setServerState(backend: string, server: string, state: AdminState): RuntimeLine {
  if (state !== 'ready' && state !== 'drain' && state !== 'maint') throw new Error(`invalid server state ${JSON.stringify(state)}`);
  return line(`set server ${target(backend, server)} state ${state}`);
}

export function setServerHealth(backend: string, server: string, health: HealthState): RuntimeLine {
  if (health !== 'up' && health !== 'stopping' && health !== 'down') throw new Error(`invalid server health ${JSON.stringify(health)}`);
  return line(`set server ${target(backend, server)} health ${health}`);
}

export function setServerAgent(backend: string, server: string, agent: AgentState): RuntimeLine {
  if (agent !== 'up' && agent !== 'down') throw new Error(`invalid agent state ${JSON.stringify(agent)}`);
  return line(`set server ${target(backend, server)} agent ${agent}`);
}

/** `set server <b>/<s> weight N` (0..256) or `N%` of the configured weight. */
export function setServerWeight(backend: string, server: string, weight: number | `${number}%`): RuntimeLine {
  const text = String(weight);
  const ok = typeof weight === 'number' ? Number.isInteger(weight) && weight >= 0 && weight <= 256 : /^\d{1,3}%$/.test(text);
  if (!ok) throw new Error(`invalid server weight ${JSON.stringify(weight)}`);
  return line(`set server ${target(backend, server)} weight ${text}`);
}

/**
 * `show stat`: CSV of every proxy and server (parse with facts/haproxy/stat.ts); with a backend,
 * `show stat <backend> 4 -1`: only that backend's servers (type 4), a reply that stays small.
 */
export function showStat(backend?: string): RuntimeLine {
  return line(backend === undefined ? 'show stat' : `show stat ${assertName('backend', backend)} 4 -1`);
}

/** `show servers state [<backend>]`: the format of the server-state file (facts/haproxy/servers-state.ts). */
export function showServersState(backend?: string): RuntimeLine {
  return line(backend === undefined ? 'show servers state' : `show servers state ${assertName('backend', backend)}`);
}
