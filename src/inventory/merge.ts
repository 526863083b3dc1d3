import type { Attrs } from './types.js';

function isMap(v: unknown): v is Attrs {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge: maps merge key by key, everything else (lists included) is replaced by the higher layer. */
export function deepMerge(lower: Attrs, higher: Attrs): Attrs {
  const out: Attrs = { ...lower };
  for (const [k, v] of Object.entries(higher)) {
    const prev = out[k];
    out[k] = isMap(prev) && isMap(v) ? deepMerge(prev, v) : v;
  }
  return out;
}

/** Layers lowest first: task/bundle defaults < inventory defaults < roles (listed order) < host < --set. */
export function mergeLayers(layers: readonly Attrs[]): Attrs {
  return layers.reduce<Attrs>((acc, layer) => deepMerge(acc, layer), {});
}
