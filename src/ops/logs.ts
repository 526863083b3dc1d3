import { UsageError } from '../errors/usage-error.js';
import { sh, type Command } from '../shell/command.js';
import { quote } from '../shell/quote.js';
import { assertProgramName } from './supervisor/ctl.js';
import { SUPERVISOR_CONF } from './supervisor/apply.js';

/**
 * A supervisor program's log files, from the config supervisord reads: `stdout_logfile` and
 * `stderr_logfile` of `[program:NAME]`. A path is used as written (after supervisor's `%(…)s`
 * expansions); `AUTO` (the default when unset) is supervisor's own file in `childlogdir`
 * (`NAME-stdout---supervisor-XXXXXX.log`, a random suffix: a glob); `NONE` is no file; with
 * `redirect_stderr=true` stderr is in the stdout file.
 */
export type LogFile = { readonly path: string } | { readonly dir: string; readonly prefix: string };

/** The separator between the two files readLogConfigCommand prints. */
const SEPARATOR = '\u001eferry-supervisord-conf\u001e';

/** One round trip: the program's config (as linked into supervisord's include dir) and supervisord.conf. */
export function readLogConfigCommand(configFile: string, supervisordConf = SUPERVISOR_CONF): Command {
  return sh(
    `cat -- ${quote(configFile)} && printf '\\n%s\\n' ${quote(SEPARATOR)} && ` +
      `{ cat -- ${quote(supervisordConf)} 2>/dev/null || true; }`,
  );
}

type Sections = Map<string, Map<string, string>>;

/** supervisor's ini dialect, as much as logs need: sections, `key = value`, `;`/`#` comments. */
export function parseIni(text: string): Sections {
  const out: Sections = new Map();
  let current: Map<string, string> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith(';') || line.startsWith('#')) continue;
    const section = /^\[([^\]]+)\]$/.exec(line);
    if (section?.[1]) {
      current = new Map();
      out.set(section[1].trim(), current);
      continue;
    }
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line);
    // an inline comment needs whitespace before `;` (as in Python's configparser for supervisor)
    if (kv?.[1] && current) current.set(kv[1].toLowerCase(), (kv[2] ?? '').replace(/\s+;.*$/, '').trim());
  }
  return out;
}

/** supervisor's `%(name)s` expansions with one process (numprocs=1); others are the user's to spell out. */
function expand(value: string, vars: Record<string, string>, where: string): string {
  return value.replace(/%\(([^)]+)\)([-#0 +]*\d*)([sd])|%%/g, (all, name?: string, flags = '', kind?: string) => {
    if (all === '%%') return '%';
    const v = name !== undefined ? vars[name] : undefined;
    if (v === undefined)
      throw new UsageError(`${where}: %(${name})${kind} is not known to ferry logs (write the path out)`);
    const width = Number(/\d+/.exec(flags)?.[0] ?? 0);
    return kind === 'd' && flags.includes('0') ? v.padStart(width, '0') : v.padStart(width, ' ');
  });
}

export interface ProgramLogs {
  readonly stdout?: LogFile;
  readonly stderr?: LogFile;
}

/**
 * The log files of `[program:NAME]` from readLogConfigCommand's output. `configFile` names the
 * file in messages; `here` is supervisor's `%(here)s` (the folder it included the file from).
 */
export function parseProgramLogs(output: string, program: string, configFile: string, here: string): ProgramLogs {
  assertProgramName(program);
  const [configText = '', mainText = ''] = output.split(`\n${SEPARATOR}\n`);
  const sections = parseIni(configText);
  const s = sections.get(`program:${program}`);
  if (!s) {
    const found = [...sections.keys()].filter((k) => k.startsWith('program:'));
    throw new UsageError(
      `${configFile} has no [program:${program}] (found: ${found.map((k) => `[${k}]`).join(', ') || 'none'})`,
    );
  }
  const vars = { program_name: program, group_name: program, process_num: '0', numprocs: '1', here };
  const childlogdir = parseIni(mainText).get('supervisord')?.get('childlogdir') ?? '/tmp';
  const file = (stream: 'stdout' | 'stderr'): LogFile | undefined => {
    const key = `${stream}_logfile`;
    const value = expand(s.get(key) ?? 'AUTO', vars, `${configFile} [program:${program}] ${key}`);
    if (value.toUpperCase() === 'NONE') return undefined;
    if (value.toUpperCase() === 'AUTO') return { dir: childlogdir, prefix: `${program}-${stream}---supervisor-` };
    return { path: value.startsWith('/') ? value : `${here}/${value}` };
  };
  const redirect = /^(true|yes|on|1)$/i.test(s.get('redirect_stderr') ?? '');
  const stdout = file('stdout');
  const stderr = redirect ? undefined : file('stderr');
  return { ...(stdout ? { stdout } : {}), ...(stderr ? { stderr } : {}) };
}

/** How a log file shows in messages. */
export function showLogFile(f: LogFile): string {
  return 'path' in f ? f.path : `${f.dir}/${f.prefix}*.log`;
}

export interface TailOptions {
  readonly files: readonly LogFile[];
  /** lines of each file to print first */
  readonly lines: number;
  readonly follow: boolean;
  /** an extended regular expression (grep -E), applied on the host */
  readonly grep?: string | undefined;
}

/**
 * `tail -q -n N [-F] FILES [| grep --line-buffered -E -e RE]`, run as one command per host.
 * Following, `--pid="$PPID"` ends tail once its sshd session process is gone: a ferry that died
 * without closing leaves no tail behind (GNU tail checks every second). grep runs on the host:
 * only matching lines cross the network, with one regex dialect (ERE) on every host; its "no
 * match" (exit 1) is no failure.
 */
export function tailLogsCommand(o: TailOptions): Command {
  if (o.files.length === 0) throw new Error('tailLogsCommand: no files');
  if (!Number.isInteger(o.lines) || o.lines < 0) throw new UsageError(`-n expects a whole number, got ${o.lines}`);
  const files = o.files.map((f) => ('path' in f ? quote(f.path) : `${quote(`${f.dir}/${f.prefix}`)}*.log`));
  const tail = `tail -q -n ${o.lines}${o.follow ? ' -F --pid="$PPID"' : ''} -- ${files.join(' ')}`;
  if (o.grep === undefined) return sh(tail);
  return sh(`${tail} | grep --line-buffered -E -e ${quote(o.grep)} || [ $? -eq 1 ]`);
}
