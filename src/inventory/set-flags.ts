import { UsageError } from '../errors/usage-error.js';
import { deepMerge } from './merge.js';
import type { Attrs } from './types.js';

/** `--set a.b=value` flags → one attrs layer; values are YAML scalars (`3` is a number, `true` a boolean). */
export async function parseSetFlags(flags: readonly string[]): Promise<Attrs> {
  let out: Attrs = {};
  if (flags.length === 0) return out;
  const { parse: parseYaml } = await import('yaml'); // only when there are flags
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set expects key=value, got "${flag}"`);
    const path = flag.slice(0, eq).split('.');
    if (path.some((p) => !/^[A-Za-z0-9_-]+$/.test(p)))
      throw new UsageError(`--set: invalid key "${flag.slice(0, eq)}"`);
    const raw = flag.slice(eq + 1);
    let value: unknown;
    try {
      value = raw === '' ? '' : parseYaml(raw);
    } catch {
      value = raw;
    }
    const layer = path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value) as Attrs;
    out = deepMerge(out, layer);
  }
  return out;
}
