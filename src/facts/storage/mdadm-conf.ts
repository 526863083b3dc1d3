import { tryNormalizeUuid } from './uuid.js';

/** One `ARRAY` entry of mdadm.conf or of `mdadm --detail --scan [--verbose]`. */
export interface ArrayEntry {
  /** `/dev/md0`, `/dev/md/data`, or `<ignore>` */
  readonly device: string;
  /** normalized (32 hex), when the entry has a UUID= */
  readonly uuid: string | undefined;
  readonly level: string | undefined;
  readonly numDevices: number | undefined;
  readonly metadata: string | undefined;
  readonly name: string | undefined;
  /** `devices=` (from --verbose scans): member paths */
  readonly devices: readonly string[];
  /** first line (0-based) of the entry in the text, and one past its last (continuation) line */
  readonly startLine: number;
  readonly endLine: number;
}

/**
 * Parse the ARRAY entries of an mdadm.conf-style text. A line starting with whitespace
 * continues the previous entry; `#` starts a comment.
 */
export function parseArrayEntries(text: string): ArrayEntry[] {
  const lines = text.split('\n');
  const out: ArrayEntry[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    if (!/^ARRAY\s/.test(line)) {
      i++;
      continue;
    }
    const start = i;
    const words = [...stripComment(line).trim().split(/\s+/).slice(1)];
    i++;
    while (i < lines.length && /^\s+\S/.test(lines[i] ?? '') && !/^\s*#/.test(lines[i] ?? '')) {
      words.push(
        ...stripComment(lines[i] ?? '')
          .trim()
          .split(/\s+/),
      );
      i++;
    }
    let device = '';
    const kv: Record<string, string> = {};
    for (const w of words) {
      const eq = w.indexOf('=');
      if (eq > 0) kv[w.slice(0, eq).toLowerCase()] = w.slice(eq + 1);
      else if (device === '') device = w;
    }
    out.push({
      device,
      uuid: tryNormalizeUuid(kv.uuid),
      level: kv.level,
      numDevices: kv['num-devices'] !== undefined ? Number(kv['num-devices']) : undefined,
      metadata: kv.metadata,
      name: kv.name,
      devices: kv.devices ? kv.devices.split(',').filter(Boolean) : [],
      startLine: start,
      endLine: i,
    });
  }
  return out;
}

function stripComment(line: string): string {
  const hash = line.indexOf('#');
  return hash >= 0 ? line.slice(0, hash) : line;
}
