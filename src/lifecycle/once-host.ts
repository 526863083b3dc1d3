import type { Host } from '../inventory/types.js';

/** Where a run-once step runs, and why there (shown in the plan). */
export type OnceHostChoice =
  | { readonly host: Host; readonly why: 'primary' | 'first' }
  | { readonly host: undefined; readonly why: 'none-selected' | 'no-such-host' };

/**
 * The one host of `role` a run-once step runs on: among the hosts this deploy selected (only they
 * hold the new release), the one marked `primary: true`, else the first in inventory order. Never
 * one per batch or per role beyond that host (ansible#8543, kamal#1846). Two primaries of the role
 * among the selected hosts are ambiguous: `ambiguous` names them, and the caller refuses.
 */
export function onceHost(
  role: string,
  selected: readonly Host[],
  inventory: readonly Host[],
): OnceHostChoice & { readonly ambiguous?: readonly string[] } {
  const chosen = new Set(selected.map((h) => h.name));
  const ofRole = inventory.filter((h) => h.roles.includes(role));
  if (ofRole.length === 0) return { host: undefined, why: 'no-such-host' };
  const candidates = ofRole.filter((h) => chosen.has(h.name));
  const first = candidates[0];
  if (first === undefined) return { host: undefined, why: 'none-selected' };
  const primaries = candidates.filter((h) => h.primary === true);
  const primary = primaries[0];
  if (primary === undefined) return { host: first, why: 'first' };
  return primaries.length > 1
    ? { host: primary, why: 'primary', ambiguous: primaries.map((h) => h.name) }
    : { host: primary, why: 'primary' };
}
