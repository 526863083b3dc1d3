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

/** `status <program>`: one line per process; exit 3 when one is not RUNNING (the line still says why). */
export function supervisorStatus(o: SupervisorCtlOptions, programs: readonly string[]): Command {
  return supervisorctl(o, 'status', programs);
}

/** The last `bytes` of a program's stdout or stderr log, as supervisord wrote it (`tail -N name stderr`). */
export function supervisorTail(
  o: SupervisorCtlOptions,
  program: string,
  stream: 'stdout' | 'stderr',
  bytes = 1600,
): Command {
  const argv: Word[] = ['supervisorctl'];
  if (o.conf !== undefined) argv.push('-c', o.conf);
  argv.push('tail', `-${Math.max(1, Math.floor(bytes))}`, assertProgramName(program), stream);
  return cmd(...argv);
}

export interface ProcessStatus {
  readonly name: string;
  /** RUNNING, STARTING, BACKOFF, FATAL, EXITED, STOPPED…; or what supervisorctl answered instead */
  readonly state: string;
  /** `pid 123, uptime 0:00:05`, `Exited too quickly (process log may have details)`… */
  readonly description: string;
}

const STATUS_LINE = /^(\S+)\s+([A-Z]+)\b\s*(.*)$/;

/**
 * `supervisorctl status` lines → one entry per process. A line that is not a status line (e.g.
 * `unix:///run/supervisor.sock no such file`, `demo: ERROR (no such process)`) is kept whole as
 * the state of `program`, so a caller can show what supervisorctl said.
 */
export function parseSupervisorStatus(stdout: string, program: string): ProcessStatus[] {
  return stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const m = STATUS_LINE.exec(l);
      if (!m || m[1]?.endsWith(':')) return { name: program, state: l, description: '' };
      return { name: m[1] ?? '', state: m[2] ?? '', description: (m[3] ?? '').trim() };
    });
}
