import { setServerState, type RuntimeLine, type StatRow } from './runtime.js';

/**
 * `ferry maintenance on|off`: the switch is a server's admin state. The bundle's haproxy config
 * has a backend `ferry_maintenance` holding one never-used server per app backend, `disabled`
 * (maint) by default, and its frontend answers the maintenance page while that server is up:
 *
 *   http-request return status 503 … if { srv_is_up(ferry_maintenance/<backend>) }
 *   backend ferry_maintenance
 *       server <backend> 127.0.0.1:9 disabled
 *
 * `on` is `set server ferry_maintenance/<backend> state ready`, `off` is `… state maint`: a
 * runtime flip, no reload, no connection dropped. Saved with `show servers state` into the
 * server-state-file (load-server-state-from-file), a reload or restart keeps it, exactly as it
 * keeps a drained server drained (README "Load balancer and maintenance").
 */
export const MAINTENANCE_BACKEND = 'ferry_maintenance';

export type MaintenanceMode = 'on' | 'off';

/** The runtime line that turns the maintenance page on or off for `backend`. */
export function setMaintenance(backend: string, mode: MaintenanceMode): RuntimeLine {
  return setServerState(MAINTENANCE_BACKEND, backend, mode === 'on' ? 'ready' : 'maint');
}

/** The switch's current position from `show stat`, or undefined when the config has no switch for `backend`. */
export function maintenanceMode(rows: readonly StatRow[], backend: string): MaintenanceMode | undefined {
  const sw = rows.find((r) => r.type === 'server' && r.pxname === MAINTENANCE_BACKEND && r.svname === backend);
  if (!sw) return undefined;
  // the switch has no check: out of maint it reads `no check`, which srv_is_up takes as up
  return sw.state === 'MAINT' ? 'off' : 'on';
}
