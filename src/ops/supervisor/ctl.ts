import { UsageError } from '../../errors/usage-error.js';
import { cmd, type Command, type Word } from '../../shell/command.js';

/** program / group / `group:process` / `group:*` names (argv-quoted anyway: this keeps options and typos out) */
const PROGRAM = /^[A-Za-z0-9_.@][A-Za-z0-9_.@:*-]*$/;

/** The program name comes from the bundle definition: a bad one is the user's to fix. */
export function assertProgramName(name: string): string {
  if (!PROGRAM.test(name)) throw new UsageError(`invalid supervisor program name ${JSON.stringify(name)}`);
  return name;
}

export interface SupervisorCtlOptions {
  /** the supervisord.conf supervisorctl reads its serverurl from (`-c`); default: supervisorctl's search path */
  readonly conf?: string;
}

/**
 * `supervisorctl [-c CONF] ACTION [NAMES…]`. Exit codes (supervisor 4.2.5, captured):
 * restart/start of a program that cannot start → 7 (`ERROR (spawn error)`); status → 3 when a
 * listed process is not RUNNING, 4 when a name is unknown or supervisord is unreachable;
 * `stop` of a stopped program → 0 (`ERROR (not running)`).
 */
export function supervisorctl(options: SupervisorCtlOptions, action: string, names: readonly string[] = []): Command {
  const argv: Word[] = ['supervisorctl'];
  if (options.conf !== undefined) argv.push('-c', options.conf);
  argv.push(action, ...names.map(assertProgramName));
  return cmd(...argv);
}

/** Re-read config files; reports `<name>: available|changed|disappeared` without acting. */
export function supervisorReread(o: SupervisorCtlOptions): Command {
  return supervisorctl(o, 'reread');
}

/** Apply config changes: start added groups, restart changed ones, stop removed ones (all, or only `groups`). */
export function supervisorUpdate(o: SupervisorCtlOptions, groups: readonly string[] = []): Command {
  return supervisorctl(o, 'update', groups);
}

/** stop then start; waits for `startsecs` and exits 7 when the program fails to start. */
export function supervisorRestart(o: SupervisorCtlOptions, programs: readonly string[]): Command {
  return supervisorctl(o, 'restart', programs);
}
