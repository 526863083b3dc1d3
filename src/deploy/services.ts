import type { Command } from '../shell/command.js';
import type { BundleDefinition } from '../bundle/definition.js';
import type { Host } from '../inventory/types.js';
import { hasRole } from '../bundle/render.js';
import { nginxReloadCommand, nginxValidateCommand, supervisorApplyCommand, supervisorValidateCommand } from '../ops/service/index.js';
import { cmd } from '../shell/command.js';

// haproxy: interim until src/ops/haproxy lands
const haproxyValidateCommand = (file: string): Command => cmd('haproxy', '-c', '-q', '-f', file);
const haproxyReloadCommand = (o: { config: string; socket?: string | undefined }): Command => ({
  script: `if [ -s /run/haproxy.pid ] && kill -0 "$(cat /run/haproxy.pid)" 2>/dev/null; then haproxy -D -f '${o.config}' -p /run/haproxy.pid -sf $(cat /run/haproxy.pid); else haproxy -D -f '${o.config}' -p /run/haproxy.pid; fi`,
});

/** Validator for a staged config file, by the kind the bundle declares. */
export function validatorFor(kind: string | undefined, file: string): Command | undefined {
  if (kind === 'nginx') return nginxValidateCommand(file);
  if (kind === 'haproxy') return haproxyValidateCommand(file);
  if (kind === 'supervisor') return supervisorValidateCommand(file);
  return undefined;
}

/** What to reload/restart on a host after `current` moved, from the configs it gets. */
export function afterSwitch(def: BundleDefinition, host: Host): Command[] {
  const kinds = new Set(def.configs.filter((c) => hasRole(host, c.roles)).map((c) => c.validate));
  const out: Command[] = [];
  if (kinds.has('haproxy')) {
    const haproxyCfg = def.configs.find((c) => c.validate === 'haproxy' && hasRole(host, c.roles));
    out.push(haproxyReloadCommand({ config: haproxyCfg?.link ?? `${def.deployPath}/current/config/${haproxyCfg?.target ?? ''}`, socket: def.haproxy?.socket }));
  }
  if (kinds.has('nginx')) out.push(nginxReloadCommand());
  if (kinds.has('supervisor')) out.push(supervisorApplyCommand(def.program));
  return out;
}
