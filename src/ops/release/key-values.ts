/** `key=value` lines (repeated keys collected in order). */
export function keyValues(stdout: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of stdout.split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const k = line.slice(0, eq);
    const list = out.get(k) ?? [];
    list.push(line.slice(eq + 1));
    out.set(k, list);
  }
  return out;
}

export function first(kv: Map<string, string[]>, key: string): string | undefined {
  const v = kv.get(key)?.[0];
  return v === undefined || v === '' ? undefined : v;
}
