import { sh, type Command } from '../shell/command.js';

export type InterruptSignal = 'INT' | 'TERM';

/**
 * Ctrl-C for the commands running on one SSH connection. sshd starts each command of a connection
 * as a child of the same per-connection process, in a session (and process group) of its own; so
 * from a new command on that connection, the other children of `$PPID` are exactly those
 * commands, and `kill -SIG -PID` reaches each whole group (a pipeline, sudo and its child).
 * Needed because sshd ignores the SSH `signal` request for root logins ("session signalling
 * requires privilege separation", OpenSSH 9.2), and closing a channel ends nothing that does not
 * write. The exit status is always 0: a command that ended meanwhile is no failure.
 */
export function interruptCommand(signal: InterruptSignal = 'INT'): Command {
  return sh(
    `for p in $(pgrep -P "$PPID"); do if [ "$p" != "$$" ]; then kill -${signal} "-$p" 2>/dev/null || true; fi; done`,
  );
}
