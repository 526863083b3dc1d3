import { UsageError } from '../errors/usage-error.js';
import type { Host, Inventory } from './types.js';
import { shardOf, type Shard } from './shard.js';

export interface SelectionInput {
  readonly hosts?: readonly string[] | undefined;
  readonly roles?: readonly string[] | undefined;
  /** --shard i/n: then only that slice of the selected hosts (see shard.ts) */
  readonly shard?: Shard | undefined;
}

/** At most this many valid names in a message; the rest are counted. */
const SHOWN = 20;

/** `web1, web2, … (200 in all)`: the valid names a message offers. */
export function listNames(names: readonly string[]): string {
  if (names.length === 0) return '(none)';
  if (names.length <= SHOWN) return names.join(', ');
  return `${names.slice(0, SHOWN).join(', ')}, … (${names.length} in all)`;
}

/** The inventory's roles: those hosts have, then those only declared under `roles:`, in file order. */
export function roleNames(inventory: Inventory): string[] {
  return [...new Set([...inventory.hosts.flatMap((h) => h.roles), ...inventory.roles.keys()])];
}

/** `unknown host web9 (not in inventory.yaml); hosts: web1, web2`: for every command that names hosts. */
export function unknownHostsMessage(inventory: Inventory, bad: readonly string[]): string {
  return (
    `unknown host${bad.length > 1 ? 's' : ''} ${bad.join(', ')} (not in ${inventory.file}); ` +
    `hosts: ${listNames(inventory.hosts.map((h) => h.name))}`
  );
}

/** Hosts named by --hosts plus hosts having any --roles role, in inventory order. Unknown names are usage errors. */
export function selectHosts(inventory: Inventory, selection: SelectionInput): Host[] {
  const names = new Set(inventory.hosts.map((h) => h.name));
  const roles = roleNames(inventory);
  const badHosts = (selection.hosts ?? []).filter((h) => !names.has(h));
  if (badHosts.length) throw new UsageError(unknownHostsMessage(inventory, badHosts));
  const badRoles = (selection.roles ?? []).filter((r) => !roles.includes(r));
  if (badRoles.length)
    throw new UsageError(
      `unknown role${badRoles.length > 1 ? 's' : ''} ${badRoles.join(', ')} (not in ${inventory.file}); ` +
        `roles: ${listNames(roles)}`,
    );
  const wantHosts = new Set(selection.hosts ?? []);
  const wantRoles = new Set(selection.roles ?? []);
  const picked = inventory.hosts.filter((h) => wantHosts.has(h.name) || h.roles.some((r) => wantRoles.has(r)));
  if (picked.length === 0) {
    const withHosts = roles.filter((r) => inventory.hosts.some((h) => h.roles.includes(r)));
    throw new UsageError(
      `no hosts selected (roles ${[...wantRoles].join(', ')} have no hosts); roles with hosts: ${listNames(withHosts)}`,
    );
  }
  return selection.shard ? shardOf(picked, selection.shard) : picked;
}
