import { createHash } from 'node:crypto';
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

/** A path's stat line (batched with every other path of the apply). */
export function statSection(name: string, path: string): ProbeSection {
  return { name, path };
}

export function parseStat(text: string | undefined): PathStat | undefined {
  const m = /^(?<type>.+)\|(?<mode>[0-7]+)\|(?<owner>.*)\|(?<group>.*)\|(?<size>\d+)$/.exec((text ?? '').trim());
  const g = m?.groups;
  if (!g) return undefined;
  return { type: g.type ?? '', mode: g.mode ?? '', owner: g.owner ?? '', group: g.group ?? '', size: Number(g.size) };
}

/** A file's stat line and content (batched with every other path of the apply: see batch.ts). */
export function fileSections(path: string): ProbeSection[] {
  return [{ name: 'file', path, content: true }];
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

export function parseFileFacts(s: Sections, name = 'file'): FileFacts {
  const text = s(name) ?? '';
  const nl = text.indexOf('\n');
  const stat = parseStat(nl < 0 ? text : text.slice(0, nl));
  const rest = nl < 0 ? '' : text.slice(nl + 1).trim();
  const regular = stat?.type.startsWith('regular') ?? false;
  // a leading `=` tells the bytes (an empty file is just `=`) from a large file's sha256
  const content = regular && rest.startsWith('=') ? new Uint8Array(Buffer.from(rest.slice(1), 'base64')) : undefined;
  const sha = /^[0-9a-f]{64}/.exec(rest)?.[0];
  return { stat, content, sha256: content ? sha256(content) : regular ? sha : undefined };
}
