/** One array as /proc/mdstat shows it. */
export interface MdstatArray {
  /** `md0`, `md127` */
  readonly name: string;
  readonly active: boolean;
  /** raid0, raid1, … (absent for an inactive array) */
  readonly level: string | undefined;
  /** member kernel names (`vdb`), in slot order when known */
  readonly members: readonly string[];
  readonly blocks: number | undefined;
  /** chunk size in KiB (`256k chunks`) */
  readonly chunkKb: number | undefined;
}

/** Parse /proc/mdstat. */
export function parseMdstat(text: string): MdstatArray[] {
  const out: MdstatArray[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^(md\S+)\s*:\s*(active|inactive)\s*(.*)$/.exec(lines[i] ?? '');
    if (!m || m[1] === undefined || m[2] === undefined) continue;
    const words = (m[3] ?? '').split(/\s+/).filter(Boolean);
    let level: string | undefined;
    // "active (auto-read-only) raid1 …" or "active raid0 …"
    while (words[0]?.startsWith('(')) words.shift();
    if (m[2] === 'active' && words[0] !== undefined && !/\[\d+\]/.test(words[0])) level = words.shift();
    const slots = words
      .map((w) => /^([^[\s]+)\[(\d+)\]/.exec(w))
      .filter((x): x is RegExpExecArray => x !== null)
      .map((x) => ({ name: x[1] ?? '', slot: Number(x[2]) }))
      .sort((a, b) => a.slot - b.slot);
    const detail = lines[i + 1] ?? '';
    const blocks = /^\s+(\d+) blocks/.exec(detail);
    const chunk = /(\d+)k chunks?/.exec(detail);
    out.push({
      name: m[1],
      active: m[2] === 'active',
      level,
      members: slots.map((s) => s.name),
      blocks: blocks?.[1] !== undefined ? Number(blocks[1]) : undefined,
      chunkKb: chunk?.[1] !== undefined ? Number(chunk[1]) : undefined,
    });
  }
  return out;
}
