import type { Host } from '../inventory/types.js';
import { HostLog } from '../runner/host-log.js';
import { HostSession } from '../runner/host-session.js';
import type { RunHostsOptions } from '../runner/run-hosts.js';

/** One session per host, shared by every phase of a deploy (one SSH connection per host). */
export function openSessions(hosts: readonly Host[], o: RunHostsOptions): Map<string, HostSession> {
  return new Map(
    hosts.map((h) => {
      const target = o.targets.get(h.name);
      if (!target) throw new Error(`no SSH target for ${h.name}`);
      return [h.name, new HostSession(h, target, new HostLog(o.logDir, h.name), o.sudoPassword, o.early)];
    }),
  );
}

export async function closeSessions(sessions: ReadonlyMap<string, HostSession>): Promise<void> {
  await Promise.all([...sessions.values()].map((s) => s.close()));
}
