import { mergeLayers } from '../inventory/merge.js';
import type { Attrs, Host, Inventory } from '../inventory/types.js';
import type { InventoryData } from './parse-inventory.js';

/** Attributes merged: defaults < roles (listed order) < host < --set. */
export function buildInventory(file: string, data: InventoryData, set: Attrs = {}): Inventory {
  const hosts: Host[] = data.hosts.map(({ roleLayers, own, ...h }) => ({
    ...h,
    attrs: mergeLayers([data.defaults, ...roleLayers, own, set]),
  }));
  const stage = { protected: data.protected === true, tagsOnly: data.tagsOnly === true };
  return { file, hosts, roles: new Map(data.roles), defaults: data.defaults, ...stage };
}
