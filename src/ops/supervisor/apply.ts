import { render, type Command } from '../../shell/command.js';
import { quote } from '../../shell/quote.js';
import {
  supervisorctl,
  supervisorReread,
  supervisorRestart,
  supervisorUpdate,
  type SupervisorCtlOptions,
} from './ctl.js';

export const SUPERVISOR_CONF = '/etc/supervisor/supervisord.conf';

const r = (c: Command) => render(c, { masked: false });

/**
 * After `current` moved: re-read program configs, apply them and restart the program (it runs from
 * current/). When supervisord itself is not running, start it (it starts the program) and wait
 * until the program is RUNNING.
 */
export function supervisorApplyCommand(program: string, o: SupervisorCtlOptions = { conf: SUPERVISOR_CONF }): Command {
  const conf = quote(o.conf ?? SUPERVISOR_CONF);
  const status = r(supervisorctl(o, 'status', [program]));
  return {
    script:
      `if ${r(supervisorctl(o, 'pid'))} >/dev/null 2>&1; ` +
      `then ${r(supervisorReread(o))} >/dev/null && ${r(supervisorUpdate(o, [program]))} && ${r(supervisorRestart(o, [program]))}; ` +
      `else supervisord -c ${conf} && n=0 && until ${status} 2>/dev/null | grep -q RUNNING || [ $n -ge 150 ]; do sleep 0.1 && n=$((n+1)); done && ${status}; fi`,
  };
}
