import { readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { type FleetHost, startFleet } from '../fleet/fleet.js';
import { watchWrites } from '../fleet/processes.js';
import { type CliResult, ferry, fleetFlags, startFerry } from './ferry-cli.js';
import { makeMiniProject } from './mini-project.js';

/** What the relay tests read from a deploy's --json report. */
export interface RelayReport {
  hosts: Array<{
    host: string;
    status: string;
    result?: { uploadedBytes?: number };
    steps: Array<{ id: string; status: string; exitCode?: number | null }>;
  }>;
}

/** Bytes the ferry process wrote (sockets, files) as /proc/<pid>/io last showed them before it exited. */
export async function runCounting(args: string[], cwd: string): Promise<{ r: CliResult; wchar: number }> {
  const p = startFerry(args, { cwd, timeoutMs: 240_000 });
  const written = watchWrites(p.pid);
  const r = await p.done;
  return { r, wchar: written() };
}

/** The bytes the control machine uploaded, summed over the hosts. */
export const sentBytes = (rep: RelayReport): number =>
  rep.hosts.reduce((a, h) => a + (h.result?.uploadedBytes ?? 0), 0);

/** The release a host of the mini project runs. */
export const currentMini = (h: FleetHost): string =>
  readlinkSync(join(h.root, 'srv/mini/current')).replace('releases/', '');

/** `ferry bundle build mini --tag T --json` in another process (its writes are not the deploy's). */
export async function buildMini(args: (...more: string[]) => string[], cwd: string, tag: string) {
  const b = await ferry(args('bundle', 'build', 'mini', '--tag', tag, '--json'), { cwd });
  expect(b.code, b.stderr).toBe(0);
  return JSON.parse(b.stdout) as { id: string; size: number; sha256: string };
}

/** A fleet of `hosts` and the mini project (its artifact padded by `padBytes`) tagged v1, v2, v3. */
export async function startMiniFleet(hosts: number, padBytes: number) {
  const fleet = await startFleet({ hosts });
  const proj = await makeMiniProject(readFileSync(fleet.inventoryFile, 'utf8'), { padBytes });
  const flags = fleetFlags({ ...fleet, inventoryFile: join(proj.dir, 'inventory.yaml') });
  for (const v of ['1', '2', '3']) {
    await proj.setVersion(v);
    proj.tag(`v${v}`);
  }
  return { fleet, proj, flags };
}
