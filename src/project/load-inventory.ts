import { readFile } from 'node:fs/promises';
import { ProjectError } from '../errors/project-error.js';
import { UsageError } from '../errors/usage-error.js';
import { mergeLayers } from '../inventory/merge.js';
import type { Attrs, Host, Inventory } from '../inventory/types.js';
import { inventorySchema } from './inventory-schema.js';
import { parseLocatedYaml, positionOf, syntaxError } from './yaml-position.js';
import { issueToError } from './zod-issue.js';

export interface InventoryOptions {
  /** the --set layer, highest precedence */
  readonly set?: Attrs;
}

/** Parse and validate inventory.yaml; attrs are merged defaults < roles (listed order) < host < --set. */
export function parseInventory(file: string, text: string, options: InventoryOptions = {}): Inventory {
  const y = parseLocatedYaml(file, text);
  const bad = syntaxError(y);
  if (bad) throw new ProjectError(bad.position, bad.message);
  const parsed = inventorySchema.safeParse(y.doc.toJS() ?? {});
  if (!parsed.success) throw issueToError(y, parsed.error);
  const defaults = parsed.data.defaults ?? {};
  const roles = new Map<string, Attrs>(Object.entries(parsed.data.roles ?? {}).map(([k, v]) => [k, v?.attrs ?? {}]));
  const hosts: Host[] = Object.entries(parsed.data.hosts).map(([name, h]) => {
    const def = h ?? { roles: [], attrs: {} };
    const roleLayers = def.roles.map((r) => roles.get(r) ?? {});
    const seen = new Set<string>();
    for (const r of def.roles) {
      if (seen.has(r)) throw new ProjectError(positionOf(y, ['hosts', name, 'roles']), `host ${name} lists role "${r}" twice`);
      seen.add(r);
    }
    return {
      name,
      address: def.address ?? name,
      user: def.user,
      port: def.port,
      jump: def.jump,
      roles: def.roles,
      attrs: mergeLayers([defaults, ...roleLayers, def.attrs, options.set ?? {}]),
    };
  });
  return { file, hosts, roles, defaults };
}

export async function loadInventory(file: string, options: InventoryOptions = {}): Promise<Inventory> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(`no inventory at ${file} (use --inventory FILE or --project DIR)`);
    throw err;
  }
  return parseInventory(file, text, options);
}
