import { parseArrayEntries } from '../../facts/storage/mdadm-conf.js';
import { mdadmUuid, normalizeUuid } from '../../facts/storage/uuid.js';

/** The one ARRAY line ferry writes for an array. */
export function arrayLine(md: string, uuid: string): string {
  return `ARRAY ${md} metadata=1.2 UUID=${mdadmUuid(uuid)}`;
}

export type MdadmConfChange =
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'write'; readonly content: string }
  | { readonly kind: 'conflict'; readonly reason: string };

/**
 * mdadm.conf with exactly one ARRAY entry for `uuid`: an existing single entry is kept as it is
 * (whatever its device name); several are replaced by one, at the first one's place; none: one
 * is appended. Another array's entry claiming the same device name is a conflict.
 */
export function planMdadmConf(text: string, md: string, uuid: string): MdadmConfChange {
  const id = normalizeUuid(uuid);
  const entries = parseArrayEntries(text);
  const mine = entries.filter((e) => e.uuid === id);
  const clash = entries.find((e) => e.uuid !== id && e.device === md);
  if (mine.length === 1) return { kind: 'unchanged' };
  if (clash) {
    const other = clash.uuid ? mdadmUuid(clash.uuid) : '?';
    return {
      kind: 'conflict',
      reason: `already names ${md} for another array (UUID=${other}) on line ${clash.startLine + 1}`,
    };
  }
  const lines = text.split('\n');
  if (mine.length === 0) {
    const body = text === '' || text.endsWith('\n') ? text : `${text}\n`;
    return { kind: 'write', content: `${body}${arrayLine(md, id)}\n` };
  }
  const drop = new Set<number>();
  for (const e of mine) for (let i = e.startLine; i < e.endLine; i++) drop.add(i);
  const first = mine[0]?.startLine ?? 0;
  const out: string[] = [];
  lines.forEach((line, i) => {
    if (i === first) out.push(arrayLine(md, id));
    if (!drop.has(i)) out.push(line);
  });
  return { kind: 'write', content: out.join('\n') };
}
