import { quote } from '../../shell/quote.js';
import type { FileFacts } from './file-facts.js';
import { fileOp } from './file.js';
import type { PrepOp } from './op.js';
import { accountName, bad } from './validate.js';

export interface CronOptions {
  /** the entry's name: its file is /etc/cron.d/<name> (run-parts rules: letters, digits, `_`, `-`) */
  readonly name: string;
  /** five fields (`17 3 * * *`) or a nickname (`@daily`, `@reboot`) */
  readonly schedule: string;
  /** who runs it (default root) */
  readonly user?: string;
  /** argv, quoted word by word; a string is a shell command line as cron runs it */
  readonly command: readonly string[] | string;
  /** `absent` removes the entry */
  readonly state?: 'present' | 'absent';
}

const FIELD = /^[0-9*,/-]+$|^[a-zA-Z]{3}(?:-[a-zA-Z]{3})?$/;
const NICK = /^@(reboot|yearly|annually|monthly|weekly|daily|midnight|hourly)$/;

export function cronSchedule(schedule: string): string {
  const s = String(schedule).trim().split(/\s+/);
  const ok = (s.length === 1 && NICK.test(s[0] ?? '')) || (s.length === 5 && s.every((f) => FIELD.test(f)));
  if (!ok) bad('cron', `schedule ${JSON.stringify(schedule)}: five fields (m h dom mon dow) or @daily etc.`);
  return s.join(' ');
}

/** The command as cron reads it: `%` is a newline to cron, so it is escaped. */
export function cronCommand(command: readonly string[] | string): string {
  const line = typeof command === 'string' ? command : command.map(quote).join(' ');
  if (line.trim() === '' || line.includes('\n')) bad('cron', 'command must be one non-empty line');
  return line.replace(/%/g, '\\%');
}

/** The whole /etc/cron.d/<name> file: one managed line per name. */
export function cronFile(o: CronOptions): string {
  const user = accountName('cron', o.user ?? 'root', 'user');
  return `# managed by ferry: ${o.name}\n${cronSchedule(o.schedule)} ${user} ${cronCommand(o.command)}\n`;
}

export function cron(o: CronOptions): PrepOp<FileFacts> {
  if (typeof o.name !== 'string' || !/^[A-Za-z0-9_-]+$/.test(o.name))
    bad('cron', `name ${JSON.stringify(o.name)}: letters, digits, '_' and '-' only (cron skips other file names)`);
  const path = `/etc/cron.d/${o.name}`;
  const absent = o.state === 'absent';
  const content = absent ? undefined : new TextEncoder().encode(cronFile(o));
  return fileOp(`cron ${o.name}`, { path, content, mode: '644', owner: 'root', group: 'root' }, []);
}
