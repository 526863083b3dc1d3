import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { FleetHost } from './types.js';

/** What `cli.js down` (or a later process) needs to stop a fleet: written to `<dir>/fleet.json`. */
export interface FleetState {
  dir: string;
  block: number;
  port: number;
  hosts: FleetHost[];
  /** pid of the process that started the fleet; a non-detached fleet dies with it */
  startedBy: number;
  /** started with `detached: true` (e.g. by `cli.js up`): outlives `startedBy` */
  detached: boolean;
  startedAt: string;
}

export function stateFile(dir: string): string {
  return join(dir, 'fleet.json');
}

export function writeState(state: FleetState): void {
  const file = stateFile(state.dir);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

export function readState(dir: string): FleetState | undefined {
  try {
    return JSON.parse(readFileSync(stateFile(dir), 'utf8')) as FleetState;
  } catch {
    return undefined;
  }
}
