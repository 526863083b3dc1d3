import { UsageError } from '../errors/usage-error.js';

/** `--batch` / `--max-fail` value: a host count or a percentage of the selected hosts. */
export type Amount =
  | { readonly kind: 'count'; readonly value: number }
  | { readonly kind: 'percent'; readonly value: number };

const COUNT = /^\d+$/;
const PERCENT = /^(\d+(?:\.\d+)?)%$/;

function parseAmount(flag: string, text: string, min: number): Amount {
  const t = text.trim();
  const pct = PERCENT.exec(t);
  if (pct) {
    const value = Number(pct[1]);
    if (value < min || value > 100)
      throw new UsageError(`${flag}: percentage must be between ${min}% and 100%, got '${text}'`);
    return { kind: 'percent', value };
  }
  if (COUNT.test(t)) {
    const value = Number(t);
    if (!Number.isSafeInteger(value) || value < min)
      throw new UsageError(`${flag}: host count must be at least ${min}, got '${text}'`);
    return { kind: 'count', value };
  }
  throw new UsageError(`${flag}: expected a host count (e.g. 2) or a percentage (e.g. 25%), got '${text}'`);
}

/** `--batch N|P%`: at least 1 host, at most 100%. */
export function parseBatch(text: string): Amount {
  return parseAmount('--batch', text, 1);
}

/** `--max-fail N|P%`: 0 (the default) means the first failure aborts. */
export function parseMaxFail(text: string): Amount {
  return parseAmount('--max-fail', text, 0);
}

export const DEFAULT_MAX_FAIL: Amount = { kind: 'count', value: 0 };

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * `--pause DURATION` → milliseconds. Accepts `500ms`, `5s`, `1.5s`, `2m`, `1h`, compounds such as
 * `1m30s`, and `0`. A bare number other than 0 is rejected (seconds or milliseconds? say which).
 */
export function parseDuration(text: string): number {
  const t = text.trim();
  if (t === '0') return 0;
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h)/y;
  let total = 0;
  let pos = 0;
  while (pos < t.length) {
    part.lastIndex = pos;
    const m = part.exec(t);
    if (!m) throw new UsageError(`invalid duration '${text}': expected e.g. 500ms, 5s, 2m, 1m30s`);
    total += Number(m[1]) * (UNIT_MS[m[2] as string] ?? Number.NaN);
    pos = part.lastIndex;
  }
  if (t.length === 0 || !Number.isFinite(total))
    throw new UsageError(`invalid duration '${text}': expected e.g. 500ms, 5s, 2m, 1m30s`);
  return Math.round(total);
}

/** Hosts per batch for `total` hosts: a percentage rounds up, never fewer than 1. */
export function batchSize(total: number, batch: Amount): number {
  if (batch.kind === 'count') return Math.max(1, batch.value);
  // integer arithmetic where possible: 25% of 10 = 2.5 → 3; 30% of 10 = 3 exactly (no float fuzz)
  const exact = (total * batch.value) / 100;
  const rounded = Math.round(exact);
  const size = Math.abs(exact - rounded) < 1e-9 ? rounded : Math.ceil(exact);
  return Math.max(1, size);
}

/** Split hosts, in order, into consecutive batches. */
export function planBatches<T>(hosts: readonly T[], batch: Amount): T[][] {
  const size = batchSize(hosts.length, batch);
  const out: T[][] = [];
  for (let i = 0; i < hosts.length; i += size) out.push(hosts.slice(i, i + size));
  return out;
}

/** True once `failed` hosts EXCEED the budget: `--max-fail 0` aborts at the first failure. */
export function exceedsBudget(failed: number, total: number, maxFail: Amount): boolean {
  if (maxFail.kind === 'count') return failed > maxFail.value;
  // failed / total > p / 100, without dividing
  return failed * 100 > maxFail.value * total + 1e-9;
}
