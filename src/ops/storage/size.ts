import { UsageError } from '../../errors/usage-error.js';

const UNITS: Record<string, number> = { '': 1, B: 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40, P: 2 ** 50 };

/**
 * `400G`, `4g`, `512M`, `1073741824` → bytes (binary units, as lvcreate and fallocate read them).
 * A size a user typed wrong is a UsageError.
 */
export function parseSize(size: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([BKMGTP]?)(?:i?B)?$/i.exec(size.trim());
  if (!m || m[1] === undefined) throw new UsageError(`not a size: ${JSON.stringify(size)} (use e.g. 400G, 512M)`);
  const bytes = Number(m[1]) * (UNITS[(m[2] ?? '').toUpperCase()] ?? 1);
  if (!Number.isFinite(bytes) || bytes <= 0) throw new UsageError(`not a size: ${JSON.stringify(size)}`);
  return Math.round(bytes);
}

export function isSize(size: string): boolean {
  try {
    parseSize(size);
    return true;
  } catch {
    return false;
  }
}
