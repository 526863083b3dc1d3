import { render, type Command } from '../../shell/command.js';
import { quote } from '../../shell/quote.js';
import {
  supervisorctl,
  supervisorReread,
  supervisorRestart,
  supervisorStatus,
  supervisorUpdate,
  type SupervisorCtlOptions,
} from './ctl.js';

export const SUPERVISOR_CONF = '/etc/supervisor/supervisord.conf';

const r = (c: Command) => render(c, { masked: false });

/**
 * After `current` moved: start the program from the new release exactly once (it runs from
 * current/). `update` restarts a group whose config changed and starts an added one, so a
 * `restart` after it would start it a second time (measured: two `spawned:` lines in supervisord's
 * log for a changed config, one for an unchanged one). Hence: `reread`; when it reports the
 * program changed or available, `update` it and wait until it is RUNNING (or FATAL: status then
 * fails); else `restart` it (which waits for startsecs and exits 7 when it cannot start). When
 * supervisord itself is not running, start it (it starts the program) and wait the same way.
 * `update` starts the program through its `autostart` (the default), as supervisord's own start does.
 */
export function supervisorApplyCommand(program: string, o: SupervisorCtlOptions = { conf: SUPERVISOR_CONF }): Command {
  const conf = quote(o.conf ?? SUPERVISOR_CONF);
  const status = r(supervisorStatus(o, [program]));
  const running =
    `n=0 && until ${status} 2>/dev/null | grep -qE ' (RUNNING|FATAL) ' || [ $n -ge 600 ]; ` +
    `do sleep 0.1 && n=$((n+1)); done && ${status}`;
  const pending = `printf '%s\\n' "$out" | grep -qxF -e ${quote(`${program}: changed`)} -e ${quote(`${program}: available`)}`;
  return {
    script:
      `if ${r(supervisorctl(o, 'pid'))} >/dev/null 2>&1; ` +
      `then out="$(${r(supervisorReread(o))})" && ` +
      `if ${pending}; then ${r(supervisorUpdate(o, [program]))} && ${running}; ` +
      `else ${r(supervisorRestart(o, [program]))}; fi; ` +
      `else supervisord -c ${conf} && ${running}; fi`,
  };
}
