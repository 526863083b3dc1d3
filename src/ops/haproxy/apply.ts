import { quote } from '../../shell/quote.js';
import { render, type Command } from '../../shell/command.js';
import { haproxyReloadCommand } from './reload.js';
import { saveServerStateCommand } from './save-state.js';

export interface HaproxyApplyOptions {
  readonly config: string;
  readonly pidFile: string;
  readonly socket: string;
  readonly stateFile: string;
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
  return { script: `mkdir -p ${dirs} && if ${running}; then ${r(saveServerStateCommand(o))} && ${reload}; else ${start}; fi` };
}
