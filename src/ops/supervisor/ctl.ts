import { cmd, type Command, type Word } from '../../shell/command.js';
import { assertProgramName } from './names.js';

export interface SupervisorCtlOptions {
  /** the supervisord.conf supervisorctl reads its serverurl from (`-c`); default: supervisorctl's search path */
  readonly conf?: string;
  /** overrides the serverurl, e.g. `unix:///run/supervisor.sock` (`-s`) */
  readonly serverUrl?: string;
  readonly sudo?: boolean | string;
  readonly binary?: string;
}

/**
 * `supervisorctl [-c CONF] [-s URL] ACTION [NAMES…]`. Exit codes (supervisor 4.2.5, captured):
 * restart/start of a program that cannot start → 7 (`ERROR (spawn error)`); status → 3 when a
 * listed process is not RUNNING, 4 when a name is unknown or supervisord is unreachable;
 * `stop` of a stopped program → 0 (`ERROR (not running)`).
 */
export function supervisorctl(options: SupervisorCtlOptions, action: string, names: readonly string[] = []): Command {
  const argv: Word[] = [options.binary ?? 'supervisorctl'];
  if (options.conf !== undefined) argv.push('-c', options.conf);
  if (options.serverUrl !== undefined) argv.push('-s', options.serverUrl);
  argv.push(action, ...names.map(assertProgramName));
  const command = cmd(...argv);
  return options.sudo ? { ...command, sudo: options.sudo } : command;
}

/** Re-read config files; reports `<name>: available|changed|disappeared` without acting. */
export function supervisorReread(o: SupervisorCtlOptions): Command {
  return supervisorctl(o, 'reread');
}

/** Apply config changes: start added groups, restart changed ones, stop removed ones (all, or only `groups`). */
export function supervisorUpdate(o: SupervisorCtlOptions, groups: readonly string[] = []): Command {
  return supervisorctl(o, 'update', groups);
}

function atLeastOne(action: string, names: readonly string[]): readonly string[] {
  if (names.length === 0) throw new Error(`supervisorctl ${action}: name at least one program (use 'all' explicitly)`);
  return names;
}

/** stop then start; waits for `startsecs` and exits 7 when the program fails to start. */
export function supervisorRestart(o: SupervisorCtlOptions, programs: readonly string[]): Command {
  return supervisorctl(o, 'restart', atLeastOne('restart', programs));
}

export function supervisorStart(o: SupervisorCtlOptions, programs: readonly string[]): Command {
  return supervisorctl(o, 'start', atLeastOne('start', programs));
}

export function supervisorStop(o: SupervisorCtlOptions, programs: readonly string[]): Command {
  return supervisorctl(o, 'stop', atLeastOne('stop', programs));
}

/** `status [names…]`: exits 3 when one is not RUNNING; see facts/supervisor/status.ts for the fact. */
export function supervisorStatus(o: SupervisorCtlOptions, programs: readonly string[] = []): Command {
  return supervisorctl(o, 'status', programs);
}
