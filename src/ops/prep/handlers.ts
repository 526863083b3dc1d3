import { cmd, type Command } from '../../shell/command.js';
import type { Handler } from './op.js';
import { absolutePath, bad } from './validate.js';

/** A handler: runs once after the ops when a step naming it in `onChange` changed something. */
export function handler(id: string, title: string, command: Command): Handler {
  if (!id) bad('handler', 'id must be non-empty');
  return { kind: 'prep-handler', id, title, command };
}

/** Apply sysctl settings from files: one file, or every sysctl.d file (`sysctl --system`). */
export function sysctlReload(path?: string): Handler {
  if (path === undefined)
    return handler('sysctl --system', 'apply sysctl settings (sysctl --system)', cmd('sysctl', '--system', '-q'));
  const p = absolutePath('sysctlReload', path);
  return handler(`sysctl -p ${p}`, `apply sysctl settings from ${p}`, cmd('sysctl', '-q', '-p', p));
}

const UNIT = /^[A-Za-z0-9@_.:\\-]+$/;

function unit(op: string, name: string): string {
  if (typeof name !== 'string' || !UNIT.test(name)) bad(op, `service name ${JSON.stringify(name)} is not a unit name`);
  return name;
}

/** systemd: restart a service (after its config changed). */
export function restart(name: string): Handler {
  const n = unit('restart', name);
  return handler(`restart ${n}`, `restart ${n}`, cmd('systemctl', 'restart', n));
}

/** systemd: reload a service (or restart it when it cannot reload). */
export function reload(name: string): Handler {
  const n = unit('reload', name);
  return handler(`reload ${n}`, `reload ${n}`, cmd('systemctl', 'reload-or-restart', n));
}

export { unit as unitName };
