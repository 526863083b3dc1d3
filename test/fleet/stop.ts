import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { claimsDir } from './address-block.js';
import { fleetParentDirs } from './fleet-parent.js';
import { isAlive, killAll, type HostNamespace } from './processes.js';
import { readState, type FleetState } from './state.js';

/** The namespaces of a fleet's hosts, each with the mountinfo marker proving it is still that host's. */
export function namespacesOf(state: FleetState): HostNamespace[] {
  return state.hosts.map((h) => ({
    namespace: h.mountNamespace,
    marker: `${basename(state.dir)}/hosts/${h.name}/root/`,
  }));
}

/** Stop a fleet described by its state file (possibly started by another process, e.g. `cli.js up`). */
export async function stopFleetState(state: FleetState, options: { keep?: boolean } = {}): Promise<void> {
  await killAll(
    namespacesOf(state),
    state.hosts.map((h) => h.pid),
  );
  const claim = join(claimsDir(), String(state.block));
  let owner = 0;
  try {
    owner = Number(readFileSync(join(claim, 'owner'), 'utf8').trim());
  } catch {
    // no claim left
  }
  if (owner === state.startedBy || !(owner > 0 && isAlive(owner))) rmSync(claim, { recursive: true, force: true });
  if (!options.keep) rmSync(state.dir, { recursive: true, force: true });
}

/**
 * Stop fleets left by crashed runs: non-detached default-dir fleets (see fleetParentDirs) whose starting process
 * is gone (SIGKILL leaves their session processes, e.g. a supervisord started over SSH, behind).
 * Returns the dirs reaped.
 */
export async function reapStaleFleets(): Promise<string[]> {
  const reaped: string[] = [];
  const dirs: string[] = [];
  for (const parent of fleetParentDirs()) {
    try {
      for (const e of readdirSync(parent))
        if (e.startsWith('ferry-fleet-') && e !== 'ferry-fleet-blocks') dirs.push(join(parent, e));
    } catch {
      // parent missing
    }
  }
  for (const dir of dirs) {
    const state = readState(dir);
    if (state === undefined || state.detached || state.startedBy === process.pid || isAlive(state.startedBy)) continue;
    try {
      await stopFleetState(state);
      reaped.push(state.dir);
    } catch {
      // another process may be reaping it at the same time
    }
  }
  return reaped;
}
