import { quote } from '../../shell/quote.js';
import { sh } from '../../shell/command.js';
import type { Fact } from '../fact.js';

export type ProcessState = 'STOPPED' | 'STARTING' | 'RUNNING' | 'BACKOFF' | 'STOPPING' | 'EXITED' | 'FATAL' | 'UNKNOWN';
const STATES: readonly ProcessState[] = ['STOPPED', 'STARTING', 'RUNNING', 'BACKOFF', 'STOPPING', 'EXITED', 'FATAL', 'UNKNOWN'];

export interface ProcessStatus {
  /** as supervisorctl names it: `web` or `group:process` */
  readonly name: string;
  readonly group: string;
  readonly process: string;
  readonly state: ProcessState;
  /** the free text after the state: `pid 533, uptime 0:00:04`, `Not started`, `Exited too quickly …` */
  readonly description: string;
  readonly pid: number | undefined;
  readonly uptimeSeconds: number | undefined;
}

const LINE = /^(\S+)\s+([A-Z]+)\s*(.*)$/;
const ERROR_LINE = /^(\S+): ERROR \((.*)\)$/;

/** `H:MM:SS` or `N day(s), H:MM:SS` (Python's str(timedelta)). */
export function parseUptime(text: string): number | undefined {
  const m = /^(?:(\d+) days?, )?(\d+):(\d\d):(\d\d)$/.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1] ?? 0) * 86_400 + Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]);
}

/**
 * Parse `supervisorctl status [names…]`. An `ERROR` line (`nosuch: ERROR (no such process)`) or
 * any other unexpected line (e.g. `unix:///… no such file`) throws: a rollout must not mistake an
 * unknown program or an unreachable supervisord for a stopped one.
 */
export function parseSupervisorStatus(stdout: string): ProcessStatus[] {
  return stdout
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l !== '')
    .map((l) => {
      const err = ERROR_LINE.exec(l);
      if (err) throw new Error(`supervisorctl: ${err[1]}: ${err[2]}`);
      const m = LINE.exec(l);
      const state = m?.[2] as ProcessState | undefined;
      if (!m || state === undefined || !STATES.includes(state)) throw new Error(`unexpected supervisorctl status line: ${JSON.stringify(l)}`);
      const name = m[1] ?? '';
      const colon = name.indexOf(':');
      const description = m[3] ?? '';
      const running = /^pid (\d+), uptime (.+)$/.exec(description);
      return {
        name,
        group: colon < 0 ? name : name.slice(0, colon),
        process: colon < 0 ? name : name.slice(colon + 1),
        state,
        description,
        pid: running ? Number(running[1]) : undefined,
        uptimeSeconds: running ? parseUptime(running[2] ?? '') : undefined,
      };
    });
}

export interface SupervisorStatusFactOptions {
  readonly conf?: string;
  readonly serverUrl?: string;
  readonly binary?: string;
}

/**
 * `supervisorctl status` as a fact. Exit 3 ("some process is not running") is expected and
 * accepted; exit 4 (unknown name or supervisord unreachable) and others fail the fact.
 */
export function supervisorStatusFact(o: SupervisorStatusFactOptions = {}, programs: readonly string[] = []): Fact<ProcessStatus[]> {
  const argv = [o.binary ?? 'supervisorctl'];
  if (o.conf !== undefined) argv.push('-c', o.conf);
  if (o.serverUrl !== undefined) argv.push('-s', o.serverUrl);
  for (const p of programs) {
    if (!/^[A-Za-z0-9_.@][A-Za-z0-9_.@:*-]*$/.test(p)) throw new Error(`invalid supervisor program name ${JSON.stringify(p)}`);
  }
  argv.push('status', ...programs);
  return {
    name: 'supervisor-status',
    command: sh(`${argv.map(quote).join(' ')} || [ $? -eq 3 ]`),
    parse: parseSupervisorStatus,
  };
}
