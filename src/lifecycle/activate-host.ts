import { switchCommand } from '../ops/release/switch.js';
import type { HostSession } from '../runner/host-session.js';
import type { DeployContext } from './deploy-context.js';
import { afterSwitch } from '../ops/services.js';

/**
 * Point `current` at release `id` (atomic rename), link service configs into current/config,
 * reload nginx/haproxy and restart the supervisor program — one round trip.
 */
export async function activateHost(
  s: HostSession,
  d: DeployContext,
  id: string,
  title: (t: string) => void,
  configHash?: string,
): Promise<void> {
  const def = d.definition;
  const links = def.configs
    .filter((c) => c.link && s.host.roles.some((r) => c.roles.includes(r)))
    .map((c) => ({ target: c.target, link: c.link as string }));
  const command = switchCommand({ paths: d.paths, id, links, after: afterSwitch(def, s.host), configHash });
  if (d.dryRun) {
    s.plan('activate', `switch current → releases/${id}, reload, restart`, command);
    return;
  }
  title(`switch current → ${id}`);
  await s.exec(command, { title: `switch current → releases/${id} + reload`, id: 'activate', status: 'changed' });
}
