/** What a value is when it cannot be printed as text: a map or a list (null counts as unset). */
export function nonScalarKind(value: unknown): 'map' | 'list' | undefined {
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'object' && value !== null) return 'map';
  return undefined;
}

/** A string, number or boolean as the text a config or env file gets; undefined for anything else. */
export function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return undefined;
}
