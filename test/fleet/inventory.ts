import { stringify } from 'yaml';
import type { FleetOptions } from './types.js';

export interface InventoryHost {
  name: string;
  address: string;
  port: number;
  roles: string[];
  attrs: Record<string, unknown>;
}

/** ferry's inventory.yaml for the fleet (every host logs in as root). */
export function renderInventory(hosts: readonly InventoryHost[], extra: FleetOptions['extraInventory'] = {}): string {
  const roles: Record<string, { attrs: Record<string, unknown> }> = {};
  for (const host of hosts) for (const role of host.roles) roles[role] ??= { attrs: {} };
  for (const [role, value] of Object.entries(extra.roles ?? {})) {
    roles[role] = { attrs: { ...(roles[role]?.attrs ?? {}), ...(value.attrs ?? {}) } };
  }
  const doc = {
    defaults: { app_port: 8000, ...(extra.defaults ?? {}) },
    roles,
    hosts: Object.fromEntries(
      hosts.map((h) => [h.name, { address: h.address, port: h.port, user: 'root', roles: h.roles, attrs: h.attrs }]),
    ),
  };
  return stringify(doc);
}
