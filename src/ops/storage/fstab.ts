import { parseFstab, type FstabEntry } from '../../facts/storage/fstab.js';
import { normalizeMountPoint } from './mount.js';

/** An fstab line to write: an entry without its position. */
export type FstabLine = Omit<FstabEntry, 'line'>;

function escapeField(field: string): string {
  return field.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

export function formatFstabLine(l: FstabLine): string {
  return [
    escapeField(l.spec),
    escapeField(l.file),
    l.vfstype,
    l.options.join(','),
    String(l.freq),
    String(l.passno),
  ].join(' ');
}

/** Options with `nofail` added when missing (a lost volume must not stop the boot). */
export function withNofail(options: string): string[] {
  const list = options
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  return list.includes('nofail') ? list : [...list, 'nofail'];
}

export type FstabChange =
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'write'; readonly content: string; readonly replaced: readonly FstabEntry[] }
  | { readonly kind: 'conflict'; readonly entries: readonly FstabEntry[] };

export interface FstabRequest {
  readonly line: FstabLine;
  /** does this existing entry name our filesystem (by UUID, LV path, …)? */
  readonly isOurs: (entry: FstabEntry) => boolean;
  /** replace a line that mounts something else at our mount point */
  readonly force: boolean;
  /** lines are also matched by mount point (not for swap, whose lines all say `none`); default true */
  readonly byMountPoint?: boolean;
}

/**
 * Exactly one line for the filesystem and its mount point: lines naming our filesystem or our
 * mount point are replaced by the wanted line, in place of the first of them (appended when
 * there is none). A line mounting *another* device at our mount point is a conflict unless forced.
 */
export function planFstab(text: string, req: FstabRequest): FstabChange {
  const target = normalizeMountPoint(req.line.file);
  const entries = parseFstab(text);
  const byMount = req.byMountPoint ?? true;
  const matches = entries.filter((e) => req.isOurs(e) || (byMount && normalizeMountPoint(e.file) === target));
  const foreign = matches.filter((e) => !req.isOurs(e));
  if (foreign.length > 0 && !req.force) return { kind: 'conflict', entries: foreign };
  const wanted = formatFstabLine(req.line);
  const only = matches[0];
  if (matches.length === 1 && only && sameLine(only, req.line)) return { kind: 'unchanged' };
  const lines = text === '' ? [] : text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const drop = new Set(matches.map((e) => e.line));
  const out: string[] = [];
  lines.forEach((line, i) => {
    if (i === only?.line) out.push(wanted);
    else if (!drop.has(i)) out.push(line);
  });
  if (!only) out.push(wanted);
  return { kind: 'write', content: `${out.join('\n')}\n`, replaced: matches };
}

function sameLine(e: FstabEntry, l: FstabLine): boolean {
  return (
    e.spec === l.spec &&
    normalizeMountPoint(e.file) === normalizeMountPoint(l.file) &&
    e.vfstype === l.vfstype &&
    e.options.join(',') === l.options.join(',') &&
    e.freq === l.freq &&
    e.passno === l.passno
  );
}
