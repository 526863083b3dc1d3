import { z } from 'zod';

const attrs = z.record(z.string(), z.unknown());

const hostSchema = z.strictObject({
  address: z.string().min(1).optional(),
  user: z.string().min(1).optional(),
  port: z.number().int().min(1).max(65535).optional(),
  /** ProxyJump: an inventory host name or [user@]host[:port] */
  jump: z.string().min(1).optional(),
  roles: z.array(z.string().min(1)).default([]),
  attrs: attrs.default({}),
  /** a bundle's run-once steps (migrations) run on this host of their role */
  primary: z.boolean().optional(),
});

const roleSchema = z.strictObject({ attrs: attrs.default({}) });

/**
 * A stage's own file (inventories/<stage>.yaml) can mark the stage protected (a run asks first)
 * and tagsOnly (a deploy names a tag: a branch or commit, `--ref`, is refused).
 */
const stageSchema = z.strictObject({ protected: z.boolean().default(false), tagsOnly: z.boolean().default(false) });

export const inventorySchema = z.strictObject({
  stage: stageSchema.nullable().optional(),
  defaults: attrs.nullable().default({}),
  roles: z.record(z.string(), roleSchema.nullable()).nullable().default({}),
  hosts: z.record(
    z.string().regex(/^[A-Za-z0-9_.-]+$/, 'host names use letters, digits, _ . -'),
    hostSchema.nullable(),
  ),
});
