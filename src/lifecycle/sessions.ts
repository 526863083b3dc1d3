import type { Host } from '../inventory/types.js';
import type { HostSession } from '../runner/host-session.js';
import { openSession, type RunHostsOptions } from '../runner/run-hosts.js';
import { checkFdLimit } from '../runner/fd-limit.js';

/** One session per host, shared by every phase of a deploy (one SSH connection per host). */
export function openSessions(hosts: readonly Host[], o: RunHostsOptions): Map<string, HostSession> {
  checkFdLimit(hosts.length, 'hosts');
  return new Map(hosts.map((h) => [h.name, openSession(h, o)]));
}

export async function closeSessions(sessions: ReadonlyMap<string, HostSession>): Promise<void> {
  await Promise.all([...sessions.values()].map((s) => s.close()));
}
