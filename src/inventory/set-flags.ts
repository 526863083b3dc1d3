import { UsageError } from '../errors/usage-error.js';
import { deepMerge } from './merge.js';
import type { Attrs } from './types.js';

function keyValue(flag: string, name: string): { path: string[]; raw: string } {
  const eq = flag.indexOf('=');
  if (eq <= 0) throw new UsageError(`${name} expects key=value, got "${flag}"`);
  const path = flag.slice(0, eq).split('.');
  if (path.some((p) => !/^[A-Za-z0-9_-]+$/.test(p)))
    throw new UsageError(`${name}: invalid key "${flag.slice(0, eq)}"`);
  return { path, raw: flag.slice(eq + 1) };
}

const layer = (path: readonly string[], value: unknown): Attrs =>
  path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value) as Attrs;

/**
 * `--set a.b=value` flags → one attrs layer. A value is the literal string after the first `=`,
 * byte for byte (`0x1F`, `null`, `key: value`, leading spaces stay as written). `--set-json a=<json>`
 * gives a typed value (`3`, `true`, `{"x":1}`); applied after every `--set`.
 */
export async function parseSetFlags(flags: readonly string[], jsonFlags: readonly string[] = []): Promise<Attrs> {
  let out: Attrs = {};
  for (const flag of flags) {
    const { path, raw } = keyValue(flag, '--set');
    out = deepMerge(out, layer(path, raw));
  }
  for (const flag of jsonFlags) {
    const { path, raw } = keyValue(flag, '--set-json');
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (e) {
      throw new UsageError(`--set-json ${path.join('.')}: not JSON (${(e as Error).message}): ${JSON.stringify(raw)}`);
    }
    out = deepMerge(out, layer(path, value));
  }
  return out;
}
