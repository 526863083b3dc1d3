import { quote } from '../../shell/quote.js';
import { cmd, sh, type Command } from '../../shell/command.js';
import { assertProgramName } from './ctl.js';

/**
 * supervisord has no `-t`. This runs supervisor's own parser on the candidate files: a minimal
 * `[supervisord]` section plus `[include] files = <candidates>`, given to
 * `supervisor.options.ServerOptions.process_config()` — the code supervisord runs at startup, so
 * every error it would refuse to start with (ini syntax, missing `command`, bad numbers, unknown
 * signal names, `%(…)s` expansions…) fails here with supervisor's own message on stderr (exit 1).
 * Missing files and programs named in `expect` but not defined also fail. On success it prints
 * the group names it found. argv: <expect,comma,separated> <file>…
 */
export const SUPERVISOR_CHECK_PY = [
  'import glob, io, os, sys',
  'from supervisor.options import ServerOptions',
  "expect = [n for n in sys.argv[1].split(',') if n]",
  'files = [os.path.abspath(f) for f in sys.argv[2:]]',
  'for f in files:',
  "    if not os.path.isfile(f): sys.exit('supervisor config check: no such file: %s' % f)",
  "    if any(c.isspace() for c in f): sys.exit('supervisor config check: whitespace in path: %r' % f)",
  "conf = '[supervisord]\\nlogfile = /dev/null\\npidfile = /dev/null\\n[include]\\nfiles = %s\\n' % ' '.join(glob.escape(f) for f in files)",
  'o = ServerOptions()',
  'o.configfile = io.StringIO(conf)',
  'o.here = os.getcwd()',
  'try:',
  '    o.process_config(do_usage=False)',
  'except ValueError as e:',
  "    sys.exit('supervisor config check: %s' % e)",
  'for m in o.parse_criticals + o.parse_warnings:',
  "    sys.stderr.write('supervisor config check: %s\\n' % m)",
  'names = [g.name for g in o.process_group_configs]',
  'missing = [n for n in expect if n not in names]',
  "if missing: sys.exit('supervisor config check: not defined: %s (found: %s)' % (', '.join(missing), ', '.join(names) or 'none'))",
  "print(' '.join(names))",
].join('\n');

export interface SupervisorCheckOptions {
  /** candidate program files, e.g. the release's config/supervisor/app.conf */
  readonly files: readonly string[];
  /** group names that must be defined by the files (e.g. the program a rollout restarts) */
  readonly expect?: readonly string[];
  /**
   * the Python that has the `supervisor` package; default: the interpreter on supervisord's
   * `#!` line (Debian: /usr/bin/python3; a pip venv: that venv's python)
   */
  readonly python?: string;
}

export function supervisorCheckCommand(o: SupervisorCheckOptions): Command {
  if (o.files.length === 0) throw new Error('supervisor config check: at least one file is required');
  const expect = (o.expect ?? []).map(assertProgramName).join(',');
  const args = ['-c', SUPERVISOR_CHECK_PY, expect, ...o.files];
  if (o.python !== undefined) return cmd(o.python, ...args);
  // the shebang may be `/usr/bin/env python3`: $py is split into words on purpose
  return sh(
    `py=$(sed -n '1s/^#![[:space:]]*//p' "$(command -v supervisord)") && [ -n "$py" ] && $py ${args.map(quote).join(' ')}`,
  );
}
