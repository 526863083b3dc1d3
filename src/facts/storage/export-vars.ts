/** `KEY=VALUE` lines as printed by `blkid -o export`, `mdadm --export`, /etc/os-release. */
export type ExportVars = Readonly<Record<string, string>>;

/** Parse KEY=VALUE lines; surrounding double or single quotes are removed, other lines ignored. */
export function parseExportVars(text: string): ExportVars {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m || m[1] === undefined || m[2] === undefined) continue;
    let value = m[2];
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0])) {
      value = value.slice(1, -1).replace(/\\(["\\$`])/g, '$1');
    } else {
      value = value.replace(/\\(.)/g, '$1'); // blkid escapes spaces: VERSION=LVM2\ 001
    }
    out[m[1]] = value;
  }
  return out;
}
