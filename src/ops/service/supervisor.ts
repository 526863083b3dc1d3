import { quote } from '../../shell/quote.js';
import { cmd, type Command } from '../../shell/command.js';

export const SUPERVISOR_CONF = '/etc/supervisor/supervisord.conf';

/**
 * supervisord has no `-t`: parse a throwaway supervisord.conf that includes only the candidate,
 * with supervisor's own option parser (Debian's /usr/bin/python3 carries the module).
 */
export function supervisorValidateCommand(file: string): Command {
  const py = 'import sys; from supervisor.options import ServerOptions; o = ServerOptions(); o.realize(args=["-c", sys.argv[1]])';
  return {
    script: [
      't="$(mktemp -d)"',
      `printf '[supervisord]\\n[include]\\nfiles = %s\\n' ${quote(file)} > "$t/check.conf"`,
      `{ /usr/bin/python3 -c ${quote(py)} "$t/check.conf" || { rm -rf "$t" && exit 1; }; }`,
      'rm -rf "$t"',
    ].join(' && '),
  };
}

export function supervisorctl(conf: string, ...args: string[]): Command {
  return cmd('supervisorctl', '-c', conf, ...args);
}

/**
 * After a switch: re-read program configs, apply them and restart the program (it runs from
 * current/); start supervisord itself when it is not running (it then starts the program).
 */
export function supervisorApplyCommand(program: string, conf = SUPERVISOR_CONF): Command {
  const c = quote(conf);
  const p = quote(program);
  return {
    script:
      `if supervisorctl -c ${c} pid >/dev/null 2>&1; then supervisorctl -c ${c} reread >/dev/null && supervisorctl -c ${c} update ${p} && supervisorctl -c ${c} restart ${p}; ` +
      `else supervisord -c ${c} && n=0 && until supervisorctl -c ${c} status ${p} 2>/dev/null | grep -q RUNNING || [ $n -ge 100 ]; do sleep 0.1 && n=$((n+1)); done && supervisorctl -c ${c} status ${p}; fi`,
  };
}
