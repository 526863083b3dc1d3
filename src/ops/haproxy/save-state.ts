import { quote } from '../../shell/quote.js';
import { sh, type Command } from '../../shell/command.js';
import { step, type Step } from '../step.js';
import { socatToSocket } from './socket.js';

export interface SaveStateOptions {
  /** the admin socket (`stats socket … level admin`) */
  readonly socket: string;
  /** the `server-state-file` of the haproxy config (global section), absolute */
  readonly stateFile: string;
  readonly sudo?: boolean | string;
}

function assertAbsolute(path: string): string {
  if (!path.startsWith('/') || path.includes('\n') || path.includes('\0')) throw new Error(`state file must be an absolute path: ${JSON.stringify(path)}`);
  return path;
}

/**
 * Dump `show servers state` into the server-state file, atomically: write `<file>.ferry-tmp`,
 * check it starts with the format version line `1` (so an error reply such as "Permission denied"
 * never becomes the state file), then `mv` over the file. With `load-server-state-from-file
 * global` in the defaults, the next haproxy process starts every server in the admin state saved
 * here, so a reload during a rollout does not re-enable a drained (or failed, `maint`) server.
 *
 * The runtime line is a constant written by the shell's `printf` builtin into socat's stdin.
 */
export function saveServerStateCommand(options: SaveStateOptions): Command {
  const file = quote(assertAbsolute(options.stateFile));
  const tmp = quote(`${options.stateFile}.ferry-tmp`);
  const script =
    `printf '%s\\n' 'show servers state' | ${socatToSocket(options.socket)} > ${tmp}` +
    ` && [ "$(head -n 1 ${tmp})" = 1 ] && mv -f ${tmp} ${file}` +
    ` || { rm -f ${tmp}; false; }`;
  const command = sh(script);
  return options.sudo ? { ...command, sudo: options.sudo } : command;
}

export function saveServerStateStep(options: SaveStateOptions): Step {
  return step('haproxy-save-state', `haproxy: save server state to ${options.stateFile}`, saveServerStateCommand(options));
}
