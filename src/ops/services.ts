import type { Command } from '../shell/command.js';
import type { BundleDefinition } from '../bundle/definition.js';
import type { Host } from '../inventory/types.js';
import { nginxReloadCommand, nginxTestSiteCommand } from './nginx/config.js';
import { supervisorCheckCommand } from './supervisor/check.js';
import { supervisorApplyCommand } from './supervisor/apply.js';
import { haproxyApplyCommand, haproxyCheckCommand } from './haproxy/config.js';

/**
 * The services a release configures (nginx, haproxy, supervisor), chosen by the kind of config
 * file the bundle declares: how a staged file is validated, and what runs after `current` moved.
 */

export const HAPROXY_PID_FILE = '/run/haproxy.pid';

/** Validator for a staged config file, by the kind the bundle declares. */
export function validatorFor(kind: string | undefined, file: string, program?: string): Command | undefined {
  if (kind === 'nginx') return nginxTestSiteCommand({ sites: [file], httpIncludes: ['/etc/nginx/mime.types'] });
  if (kind === 'haproxy') return haproxyCheckCommand(file);
  if (kind === 'supervisor') {
    return supervisorCheckCommand({ files: [file], ...(program ? { expect: [program] } : {}) });
  }
  return undefined;
}

/** The LB's runtime socket and server-state file: host attrs, else the bundle's defaults. */
export function haproxyPaths(def: BundleDefinition, host: Host): { socket: string; stateFile: string } {
  const a = host.attrs;
  return {
    socket:
      typeof a.haproxy_socket === 'string' ? a.haproxy_socket : (def.haproxy?.socket ?? '/run/haproxy/admin.sock'),
    stateFile: typeof a.haproxy_state_file === 'string' ? a.haproxy_state_file : '/var/lib/haproxy/server-state',
  };
}

/** What runs on a host after `current` moved, with the words a plan shows for it. */
function afterSwitchSteps(def: BundleDefinition, host: Host): { readonly label: string; readonly command: Command }[] {
  const mine = def.configs.filter((c) => host.roles.some((r) => c.roles.includes(r)));
  const out: { label: string; command: Command }[] = [];
  const lb = mine.find((c) => c.validate === 'haproxy');
  if (lb) {
    const config = lb.link ?? `${def.deployPath}/current/config/${lb.target}`;
    const command = haproxyApplyCommand({ ...haproxyPaths(def, host), pidFile: HAPROXY_PID_FILE, config });
    out.push({ label: 'reload haproxy', command });
  }
  if (mine.some((c) => c.validate === 'nginx')) out.push({ label: 'reload nginx', command: nginxReloadCommand() });
  if (mine.some((c) => c.validate === 'supervisor'))
    out.push({ label: `restart ${def.program} (supervisor)`, command: supervisorApplyCommand(def.program) });
  return out;
}

/** What to reload/restart on a host after `current` moved, from the configs it gets. */
export function afterSwitch(def: BundleDefinition, host: Host): Command[] {
  return afterSwitchSteps(def, host).map((s) => s.command);
}

/** The same, as a plan says it: `reload nginx`, `restart demo (supervisor)`. */
export function afterSwitchLabels(def: BundleDefinition, host: Host): string[] {
  return afterSwitchSteps(def, host).map((s) => s.label);
}
