import { quote } from '../shell/quote.js';
import type { Command } from '../shell/command.js';
import type { BundleDefinition } from '../bundle/definition.js';
import type { Host } from '../inventory/types.js';
import { hasRole } from '../bundle/render.js';
import { nginxTestSiteCommand } from '../ops/nginx/check.js';
import { nginxReloadCommand } from '../ops/nginx/reload.js';
import { supervisorCheckCommand } from '../ops/supervisor/check.js';
import { supervisorApplyCommand } from '../ops/supervisor/apply.js';
import { haproxyCheckCommand } from '../ops/haproxy/check.js';
import { haproxyReloadCommand } from '../ops/haproxy/reload.js';
import { saveServerStateCommand } from '../ops/haproxy/save-state.js';
import { render } from '../shell/command.js';

export const HAPROXY_PID_FILE = '/run/haproxy.pid';

/** Validator for a staged config file, by the kind the bundle declares. */
export function validatorFor(kind: string | undefined, file: string, program?: string): Command | undefined {
  if (kind === 'nginx') return nginxTestSiteCommand({ sites: [file], httpIncludes: ['/etc/nginx/mime.types'] });
  if (kind === 'haproxy') return haproxyCheckCommand(file);
  if (kind === 'supervisor') return supervisorCheckCommand({ files: [file], ...(program ? { expect: [program] } : {}) });
  return undefined;
}

/** The LB's runtime socket and server-state file: host attrs, else the bundle's defaults. */
export function haproxyPaths(def: BundleDefinition, host: Host): { socket: string; stateFile: string } {
  const a = host.attrs;
  return {
    socket: typeof a.haproxy_socket === 'string' ? a.haproxy_socket : def.haproxy?.socket ?? '/run/haproxy/admin.sock',
    stateFile: typeof a.haproxy_state_file === 'string' ? a.haproxy_state_file : '/var/lib/haproxy/server-state',
  };
}

/**
 * Reload haproxy keeping every server's admin state (drained stays drained): when it runs, dump
 * `show servers state` to the state file first, then `-sf` reload with listener hand-over; start it otherwise.
 */
export function haproxyApplyCommand(def: BundleDefinition, host: Host, config: string): Command {
  const { socket, stateFile } = haproxyPaths(def, host);
  const pid = quote(HAPROXY_PID_FILE);
  const save = render(saveServerStateCommand({ socket, stateFile }), { masked: false });
  const dirs = [socket, stateFile].map((p) => quote(p.slice(0, p.lastIndexOf('/')) || '/')).join(' ');
  const running = `[ -s ${pid} ] && kill -0 $(cat ${pid}) 2>/dev/null`;
  const reload = render(haproxyReloadCommand({ config, pidFile: HAPROXY_PID_FILE }), { masked: false });
  const reloadWithTransfer = render(haproxyReloadCommand({ config, pidFile: HAPROXY_PID_FILE, transferSocket: socket }), { masked: false });
  return {
    script: `mkdir -p ${dirs} && if ${running}; then ${save} && ${reloadWithTransfer}; else ${reload}; fi`,
  };
}

/** What to reload/restart on a host after `current` moved, from the configs it gets. */
export function afterSwitch(def: BundleDefinition, host: Host): Command[] {
  const mine = def.configs.filter((c) => hasRole(host, c.roles));
  const out: Command[] = [];
  const lb = mine.find((c) => c.validate === 'haproxy');
  if (lb) out.push(haproxyApplyCommand(def, host, lb.link ?? `${def.deployPath}/current/config/${lb.target}`));
  if (mine.some((c) => c.validate === 'nginx')) out.push(nginxReloadCommand());
  if (mine.some((c) => c.validate === 'supervisor')) out.push(supervisorApplyCommand(def.program));
  return out;
}
