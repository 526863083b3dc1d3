import { quote } from '../../shell/quote.js';
import type { ProbeSection, Sections } from './op.js';

/** What a path is on the host: `stat` of it (not following a symlink). */
export interface PathStat {
  /** `regular file`, `directory`, `symbolic link`, … (stat's %F) */
  readonly type: string;
  /** octal text, e.g. `644` */
  readonly mode: string;
  readonly owner: string;
  readonly group: string;
  readonly size: number;
}

export interface FileFacts {
  readonly stat: PathStat | undefined;
  /** the content, when the path is a regular file no larger than MAX_CONTENT */
  readonly content: Uint8Array | undefined;
  /** sha256 (hex) of a regular file's content */
  readonly sha256: string | undefined;
}

/** Larger files are compared by hash only (no diff). */
export const MAX_CONTENT = 256 * 1024;

export function statSection(name: string, path: string): ProbeSection {
  return { name, script: `stat -c '%F|%a|%U|%G|%s' -- ${quote(path)}` };
}

export function parseStat(text: string | undefined): PathStat | undefined {
  const m = /^(?<type>.+)\|(?<mode>[0-7]+)\|(?<owner>.*)\|(?<group>.*)\|(?<size>\d+)$/.exec((text ?? '').trim());
  const g = m?.groups;
  if (!g) return undefined;
  return { type: g.type ?? '', mode: g.mode ?? '', owner: g.owner ?? '', group: g.group ?? '', size: Number(g.size) };
}

/** stat, sha256 and (for a small regular file) the bytes as base64: exact, whatever they are. */
export function fileSections(path: string): ProbeSection[] {
  const p = quote(path);
  return [
    statSection('stat', path),
    { name: 'sha', script: `test -f ${p} && test ! -L ${p} && sha256sum < ${p} | cut -d' ' -f1` },
    {
      name: 'b64',
      script: `test -f ${p} && test ! -L ${p} && test "$(stat -c %s -- ${p})" -le ${MAX_CONTENT} && printf = && base64 -w0 < ${p}`,
    },
  ];
}

export function parseFileFacts(s: Sections): FileFacts {
  const stat = parseStat(s('stat'));
  const sha = (s('sha') ?? '').trim();
  const regular = stat?.type.startsWith('regular') ?? false;
  // a leading `=` tells an empty file (`=`) from one too large to read (nothing)
  const b64 = s('b64')?.trim();
  return {
    stat,
    sha256: regular && /^[0-9a-f]{64}$/.test(sha) ? sha : undefined,
    content: regular && b64?.startsWith('=') ? new Uint8Array(Buffer.from(b64.slice(1), 'base64')) : undefined,
  };
}
