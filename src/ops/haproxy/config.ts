import { UsageError } from '../../errors/usage-error.js';
import { quote } from '../../shell/quote.js';
import { cmd, render, sh, type Command } from '../../shell/command.js';
import { assertSocketPath } from './names.js';

/**
 * A haproxy configuration on a host: validate a staged one (`haproxy -c`), then apply it after
 * `current` moved by a reload that keeps server states (save `show servers state`, reload `-sf`).
 */

/**
 * `haproxy -c -f <cfg>…`: validate a candidate configuration (exit 0 valid, nonzero invalid).
 * No `-q`: it would also silence the ALERT lines that say what is wrong.
 */
export function haproxyCheckCommand(config: string | readonly string[]): Command {
  const files = typeof config === 'string' ? [config] : config;
  return cmd('haproxy', '-c', ...files.flatMap((f) => ['-f', f]));
}

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
  const pid = quote(p.pidFile);
  const files = typeof p.config === 'string' ? [p.config] : p.config;
  const base = ['haproxy', '-D', ...files.flatMap((f) => ['-f', quote(f)]), '-p', pid].join(' ');
  const transfer = p.transferSocket === undefined ? '' : ` -x ${quote(assertSocketPath(p.transferSocket))}`;
  return sh(
    `if [ -s ${pid} ] && kill -0 $(cat ${pid}) 2>/dev/null;` +
      ` then ${base}${transfer} -sf $(cat ${pid});` +
      ` else ${base}; fi`,
  );
}

export interface SaveStateOptions {
  /** the admin socket (`stats socket … level admin`) */
  readonly socket: string;
  /** the `server-state-file` of the haproxy config (global section), absolute */
  readonly stateFile: string;
}

/** socat waits this long for HAProxy's reply after sending the line (-t) and gives up when idle (-T). */
const REPLY_WAIT_S = 10;
const IDLE_TIMEOUT_S = 30;

function assertStateFile(path: string): string {
  if (!path.startsWith('/') || path.includes('\n') || path.includes('\0')) {
    throw new UsageError(`haproxy state file must be an absolute path: ${JSON.stringify(path)}`);
  }
  return path;
}

/**
 * Dump `show servers state` into the server-state file, atomically: write `<file>.ferry-tmp`,
 * check it starts with the format version line `1` (so an error reply such as "Permission denied"
 * never becomes the state file), then `mv` over the file. With `load-server-state-from-file
 * global` in the defaults, the next haproxy process starts every server in the admin state saved
 * here, so a reload during a rollout does not re-enable a drained (or failed, `maint`) server.
 *
 * socat runs on the host because the dump goes to a file there. The runtime line is a constant
 * written by the shell's `printf` builtin into socat's stdin, never part of socat's address.
 */
export function saveServerStateCommand(o: SaveStateOptions): Command {
  const file = quote(assertStateFile(o.stateFile));
  const tmp = quote(`${o.stateFile}.ferry-tmp`);
  const address = `UNIX-CONNECT:${assertSocketPath(o.socket)}`;
  const socat = ['socat', '-t', String(REPLY_WAIT_S), '-T', String(IDLE_TIMEOUT_S), '-', address];
  return sh(
    `printf '%s\\n' 'show servers state' | ${socat.map(quote).join(' ')} > ${tmp}` +
      ` && [ "$(head -n 1 ${tmp})" = 1 ] && mv -f ${tmp} ${file}` +
      ` || { rm -f ${tmp}; false; }`,
  );
}

export interface HaproxyApplyOptions extends SaveStateOptions {
  readonly config: string;
  readonly pidFile: string;
}

/**
 * After the config link moved: when haproxy runs, dump `show servers state` into the state file
 * (so drained servers stay drained) and reload with `-sf`, handing the listeners over (`-x`);
 * otherwise start it. The socket and state-file folders are created first.
 */
export function haproxyApplyCommand(o: HaproxyApplyOptions): Command {
  const r = (c: Command) => render(c, { masked: false });
  const pid = quote(o.pidFile);
  const dirs = [o.socket, o.stateFile].map((p) => quote(p.slice(0, p.lastIndexOf('/')) || '/')).join(' ');
  const running = `[ -s ${pid} ] && kill -0 $(cat ${pid}) 2>/dev/null`;
  const start = r(haproxyReloadCommand({ config: o.config, pidFile: o.pidFile }));
  const reload = r(haproxyReloadCommand({ config: o.config, pidFile: o.pidFile, transferSocket: o.socket }));
  const save = r(saveServerStateCommand(o));
  return { script: `mkdir -p ${dirs} && if ${running}; then ${save} && ${reload}; else ${start}; fi` };
}
