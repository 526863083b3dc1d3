import { UsageError } from '../errors/usage-error.js';
import type { Host, Inventory } from './types.js';
import { shardOf, type Shard } from './shard.js';

export interface SelectionInput {
  readonly hosts?: readonly string[] | undefined;
  readonly roles?: readonly string[] | undefined;
  /** --shard i/n: then only that slice of the selected hosts (see shard.ts) */
  readonly shard?: Shard | undefined;
}

/** Hosts named by --hosts plus hosts having any --roles role, in inventory order. Unknown names are usage errors. */
export function selectHosts(inventory: Inventory, selection: SelectionInput): Host[] {
  const names = new Set(inventory.hosts.map((h) => h.name));
  const roles = new Set(inventory.hosts.flatMap((h) => h.roles));
  for (const r of inventory.roles.keys()) roles.add(r);
  const badHosts = (selection.hosts ?? []).filter((h) => !names.has(h));
  if (badHosts.length)
    throw new UsageError(
      `unknown host${badHosts.length > 1 ? 's' : ''} ${badHosts.join(', ')} (not in ${inventory.file})`,
    );
  const badRoles = (selection.roles ?? []).filter((r) => !roles.has(r));
  if (badRoles.length)
    throw new UsageError(
      `unknown role${badRoles.length > 1 ? 's' : ''} ${badRoles.join(', ')} (not in ${inventory.file})`,
    );
  const wantHosts = new Set(selection.hosts ?? []);
  const wantRoles = new Set(selection.roles ?? []);
  const picked = inventory.hosts.filter((h) => wantHosts.has(h.name) || h.roles.some((r) => wantRoles.has(r)));
  if (picked.length === 0) throw new UsageError(`no hosts selected (roles ${[...wantRoles].join(', ')} have no hosts)`);
  return selection.shard ? shardOf(picked, selection.shard) : picked;
}
