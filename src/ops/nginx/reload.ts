import { quote } from '../../shell/quote.js';
import { sh, type Command } from '../../shell/command.js';

export interface NginxReloadOptions {
  /** main config (`-c`); default: the compiled-in one */
  readonly conf?: string;
  /** the `pid` of that config (Debian: /run/nginx.pid) */
  readonly pidFile?: string;
  readonly binary?: string;
  readonly sudo?: boolean | string;
}

/**
 * Validate, then graceful reload (`nginx -s reload`: the master re-reads the config, new workers
 * start, old ones finish their requests) when a live master is recorded in the pid file; start
 * nginx otherwise. An invalid config never reaches the running nginx.
 */
export function nginxReloadCommand(o: NginxReloadOptions = {}): Command {
  const base = [quote(o.binary ?? 'nginx'), ...(o.conf === undefined ? [] : ['-c', quote(o.conf)])].join(' ');
  const pid = quote(o.pidFile ?? '/run/nginx.pid');
  const script =
    `${base} -t -q && if [ -s ${pid} ] && kill -0 "$(cat ${pid})" 2>/dev/null;` +
    ` then ${base} -s reload;` +
    ` else ${base}; fi`;
  const command = sh(script);
  return o.sudo ? { ...command, sudo: o.sudo } : command;
}
