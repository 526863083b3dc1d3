import { ProjectError } from '../errors/project-error.js';
import type { Attrs, Host } from '../inventory/types.js';
import { inventorySchema } from './inventory-schema.js';
import { parseLocatedYaml, positionOf, syntaxError } from './yaml-position.js';
import { issueToError } from './zod-issue.js';

export interface InventoryOptions {
  /** the --set layer, highest precedence */
  readonly set?: Attrs;
}

/** inventory.yaml parsed and validated, before attributes are merged: what the parse cache keeps. */
export interface InventoryData {
  readonly defaults: Attrs;
  readonly roles: ReadonlyArray<readonly [string, Attrs]>;
  readonly hosts: ReadonlyArray<Omit<Host, 'attrs'> & { readonly roleLayers: readonly Attrs[]; readonly own: Attrs }>;
  /** `stage: { protected: true }`: commands that change hosts ask first (or need --yes) */
  readonly protected: boolean;
  /** `stage: { tagsOnly: true }`: deploys name a tag, never a branch or commit */
  readonly tagsOnly?: boolean;
}

/** Parse and validate inventory.yaml; every error names file:line:column. */
export function parseInventoryFile(file: string, text: string): InventoryData {
  const y = parseLocatedYaml(file, text);
  const bad = syntaxError(y);
  if (bad) throw new ProjectError(bad.position, bad.message);
  const parsed = inventorySchema.safeParse(y.doc.toJS() ?? {});
  if (!parsed.success) throw issueToError(y, parsed.error);
  const defaults = parsed.data.defaults ?? {};
  const roles = new Map<string, Attrs>(Object.entries(parsed.data.roles ?? {}).map(([k, v]) => [k, v?.attrs ?? {}]));
  const hosts = Object.entries(parsed.data.hosts).map(([name, h]) => {
    const def = h ?? { roles: [], attrs: {} };
    const seen = new Set<string>();
    for (const r of def.roles) {
      if (seen.has(r))
        throw new ProjectError(positionOf(y, ['hosts', name, 'roles']), `host ${name} lists role "${r}" twice`);
      seen.add(r);
    }
    return {
      name,
      address: def.address ?? name,
      user: def.user,
      port: def.port,
      jump: def.jump,
      roles: def.roles,
      ...(def.primary ? { primary: true } : {}),
      roleLayers: def.roles.map((r) => roles.get(r) ?? {}),
      own: def.attrs,
    };
  });
  const stage = parsed.data.stage;
  return {
    defaults,
    roles: [...roles],
    hosts,
    protected: stage?.protected ?? false,
    tagsOnly: stage?.tagsOnly ?? false,
  };
}
