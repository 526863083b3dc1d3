/** One entry of /etc/fstab, with its line number so it can be edited in place. */
export interface FstabEntry {
  readonly line: number;
  readonly spec: string;
  readonly file: string;
  readonly vfstype: string;
  readonly options: readonly string[];
  readonly freq: number;
  readonly passno: number;
}

/** fstab escapes spaces and the like as octal (`\040`). */
function unescapeField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

export function parseFstab(text: string): FstabEntry[] {
  const out: FstabEntry[] = [];
  text.split('\n').forEach((raw, line) => {
    const body = raw.trim();
    if (body === '' || body.startsWith('#')) return;
    const f = body.split(/\s+/);
    if (f.length < 2) return;
    out.push({
      line,
      spec: unescapeField(f[0] ?? ''),
      file: unescapeField(f[1] ?? ''),
      vfstype: f[2] ?? 'auto',
      options: (f[3] ?? 'defaults').split(',').filter(Boolean),
      freq: Number(f[4] ?? 0) || 0,
      passno: Number(f[5] ?? 0) || 0,
    });
  });
  return out;
}
