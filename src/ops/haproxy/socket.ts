import { quote } from '../../shell/quote.js';
import { sh, type Command } from '../../shell/command.js';
import { step, type Step } from '../step.js';
import { assertSocketPath } from './names.js';
import type { RuntimeLine } from './runtime.js';

/** socat waits this long for HAProxy's reply after sending the line (-t) and gives up when idle (-T). */
const REPLY_WAIT_S = 10;
const IDLE_TIMEOUT_S = 30;

/** `socat … - UNIX-CONNECT:<sock>` as shell text: the line comes on stdin, never on argv. */
export function socatToSocket(socket: string): string {
  return ['socat', '-t', String(REPLY_WAIT_S), '-T', String(IDLE_TIMEOUT_S), '-', `UNIX-CONNECT:${assertSocketPath(socket)}`].map(quote).join(' ');
}

/** The bytes to write to the socket (or to socat's stdin) for one command. */
export function runtimePayload(line: RuntimeLine): string {
  return `${line}\n`;
}

/**
 * Remote command for a `set …` runtime line when no SSH stream-local forward is available:
 * socat reads the line from stdin; a non-empty reply is HAProxy refusing it, so it is copied to
 * stderr and the command fails (HAProxy itself never sets an exit code).
 */
export function runtimeSetCommand(socket: string): Command {
  return sh(`out=$(${socatToSocket(socket)}) && { [ -z "$out" ] || { printf '%s\\n' "$out" >&2; false; }; }`);
}

export interface RuntimeStepOptions {
  readonly id?: string;
  readonly title?: string;
  /** the admin socket is usually root:haproxy 0660 */
  readonly sudo?: boolean | string;
}

/** A Step that sends one `set …` line to the admin socket on the LB host (line on stdin). */
export function runtimeStep(socket: string, line: RuntimeLine, options: RuntimeStepOptions = {}): Step {
  const base = runtimeSetCommand(socket);
  const command: Command = options.sudo ? { ...base, sudo: options.sudo } : base;
  return step(options.id ?? 'haproxy-runtime', options.title ?? `haproxy: ${line}`, command, { stdin: runtimePayload(line) });
}
