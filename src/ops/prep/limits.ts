import type { FileFacts } from './file-facts.js';
import { fileOp } from './file.js';
import type { PrepOp } from './op.js';
import { bad } from './validate.js';

export interface LimitEntry {
  /** a user, `@group`, or `*` */
  readonly domain: string;
  readonly type: 'soft' | 'hard' | '-';
  /** `nofile`, `nproc`, `memlock`, … */
  readonly item: string;
  readonly value: number | 'unlimited';
}

export interface LimitsOptions {
  /** the file is /etc/security/limits.d/<name>.conf */
  readonly name: string;
  readonly entries: readonly LimitEntry[];
}

export function limitsFile(o: LimitsOptions): string {
  const rows = o.entries.map((e) => {
    if (!/^(\*|@?[a-z_][a-z0-9_-]*|%\S+)$/.test(e.domain))
      bad('limits', `domain ${JSON.stringify(e.domain)} is not a user, @group or *`);
    if (!['soft', 'hard', '-'].includes(e.type)) bad('limits', `type ${JSON.stringify(e.type)}: soft, hard or -`);
    if (!/^[a-z]+$/.test(e.item)) bad('limits', `item ${JSON.stringify(e.item)} is not a limit name`);
    if (e.value !== 'unlimited' && !(Number.isInteger(e.value) && e.value >= 0))
      bad('limits', `value ${JSON.stringify(e.value)}: a whole number or 'unlimited'`);
    return `${e.domain} ${e.type} ${e.item} ${e.value}`;
  });
  return `# managed by ferry: ${o.name}\n${rows.join('\n')}\n`;
}

/** pam_limits settings in their own file under /etc/security/limits.d. */
export function limits(o: LimitsOptions): PrepOp<FileFacts> {
  if (!/^[A-Za-z0-9_.-]+$/.test(o.name))
    bad('limits', `name ${JSON.stringify(o.name)}: letters, digits, '_', '-', '.'`);
  const path = `/etc/security/limits.d/${o.name}.conf`;
  const content = new TextEncoder().encode(limitsFile(o));
  return fileOp(`limits ${o.name}`, { path, content, mode: '644', owner: 'root', group: 'root' }, []);
}
