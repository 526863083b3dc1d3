import { quote } from '../../shell/quote.js';
import { and, sh, type Command } from '../../shell/command.js';
import { step, type Step } from '../step.js';
import { haproxyCheckCommand } from './check.js';
import { assertSocketPath } from './names.js';
import { saveServerStateCommand } from './save-state.js';

export interface HaproxyProcess {
  /** config file(s) passed with -f, in order */
  readonly config: string | readonly string[];
  /** the pid file haproxy writes with -p (Debian's init script: /var/run/haproxy.pid) */
  readonly pidFile: string;
  /**
   * The admin socket, when its `stats socket` line has `expose-fd listeners`: the new process
   * then takes the listening sockets over from the old one (`-x`), so no connection is refused
   * during the reload. Without `expose-fd listeners`, `-x` makes the reload fail; leave it out.
   */
  readonly transferSocket?: string;
  readonly binary?: string;
  readonly sudo?: boolean | string;
}

function configArgs(p: HaproxyProcess): string[] {
  const files = typeof p.config === 'string' ? [p.config] : p.config;
  return files.flatMap((f) => ['-f', f]);
}

/**
 * Graceful reload of a haproxy run as a plain daemon (no systemd, no master-worker), exactly as
 * Debian's /etc/init.d/haproxy starts it (`haproxy -f CFG -D -p PIDFILE`):
 *
 *   haproxy -D -f CFG -p PIDFILE [-x SOCK] -sf $(cat PIDFILE)
 *
 * The new process parses the config (and loads the server-state file), binds, then tells the old
 * pids to finish their connections and exit (-sf = soft finish). When no live pid is recorded,
 * haproxy is started instead: `-sf` with an empty pid list would start a second instance.
 * The pid list is expanded unquoted on purpose (one word per pid, as the init script does).
 */
export function haproxyReloadCommand(p: HaproxyProcess): Command {
  const bin = quote(p.binary ?? 'haproxy');
  const pid = quote(p.pidFile);
  const base = [bin, '-D', ...configArgs(p).map(quote), '-p', pid].join(' ');
  const transfer = p.transferSocket === undefined ? '' : ` -x ${quote(assertSocketPath(p.transferSocket))}`;
  const script =
    `if [ -s ${pid} ] && kill -0 $(cat ${pid}) 2>/dev/null;` +
    ` then ${base}${transfer} -sf $(cat ${pid});` +
    ` else ${base}; fi`;
  const command = sh(script);
  return p.sudo ? { ...command, sudo: p.sudo } : command;
}

export interface ReloadWithStateOptions extends HaproxyProcess {
  /** the admin socket to read `show servers state` from */
  readonly socket: string;
  /** the config's `server-state-file` */
  readonly stateFile: string;
}

/**
 * The reload a rollout runs on an LB host: validate the config, save server state (so drained and
 * maint servers stay so), then reload. Each step stops the chain on failure.
 */
export function haproxyReloadSteps(o: ReloadWithStateOptions): Step[] {
  const check = haproxyCheckCommand(o.config, o.binary);
  return [
    step('haproxy-check', 'haproxy: validate config', o.sudo ? { ...check, sudo: o.sudo } : check),
    step('haproxy-save-state', `haproxy: save server state to ${o.stateFile}`, saveServerStateCommand(o)),
    step('haproxy-reload', 'haproxy: graceful reload', haproxyReloadCommand(o)),
  ];
}

/** The same as one command (check && save && reload), for callers that run a single Command. */
export function haproxyReloadWithStateCommand(o: ReloadWithStateOptions): Command {
  return and(...haproxyReloadSteps(o).map((s) => s.command));
}
