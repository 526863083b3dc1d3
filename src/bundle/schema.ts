import { z } from 'zod';
import { ProjectError, type SourcePosition } from '../errors/index.js';
import type { BundleDefinition, BundleHooks, HookName } from './definition.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

const relPath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), 'must be a relative path without ".."');
const absPath = z
  .string()
  .refine((p) => p.startsWith('/') && !p.split('/').includes('..'), 'must be an absolute path without ".."');
const role = z.string().regex(NAME, 'must be a role name');
const argv = z.array(z.string()).min(1, 'must be a non-empty argv array');

const env = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('node'), scripts: z.boolean().default(true) }),
  z.strictObject({
    kind: z.literal('python'),
    package: z
      .string()
      .default('.')
      .refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), 'must be a relative path without ".."'),
    python: absPath.default('/usr/bin/python3'),
    offline: z.boolean().default(true),
  }),
  z.strictObject({ kind: z.literal('none') }),
]);

const config = z.strictObject({
  template: relPath,
  target: relPath,
  link: absPath.optional(),
  roles: z.array(role).min(1).optional(),
  validate: z.enum(['nginx', 'haproxy', 'supervisor']).optional(),
});

// envFile and shared files (README "Env files and secrets", "Shared files")
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const attrRef = z.strictObject({ attr: z.string().min(1, 'must name an attribute'), optional: z.boolean().optional() });
const envValue = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  attrRef,
  z.strictObject({ secret: z.string().regex(IDENT, 'must be a secret name: letters, digits, "_"') }),
]);
/** `config`, `configs` and ferry's own files in a release are ferry's: nothing else is written there */
const ownPath = (p: string) => /^(config|configs)(\/|$)|^\.ferry/.test(p);
const releaseFile = relPath.refine((p) => !ownPath(p), 'config/, configs/ and .ferry* in a release are ferry’s');
const envFile = z.strictObject({
  path: releaseFile.default('app/.env'),
  vars: z.record(z.string(), envValue),
  owner: z.union([z.string().min(1), attrRef]).optional(),
  roles: z.array(role).min(1).optional(),
});
const sharedEntry = z.union([relPath, z.strictObject({ file: releaseFile, optional: z.boolean().default(false) })]);

// hooks and run-once steps (README "Hooks and run-once steps")
const onceStep = z.strictObject({
  name: z.string().regex(NAME, 'must be a step name: letters, digits, ".", "_", "-"'),
  role,
  run: argv,
});
const hookFn = z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', 'must be a function');
const HOOK_NAMES = ['afterStage', 'beforeSwitch', 'afterSwitch', 'onFailure'] as const satisfies readonly HookName[];
const hooks = z.strictObject(Object.fromEntries(HOOK_NAMES.map((n) => [n, hookFn.optional()])));

const bundleSchema = z.strictObject({
  name: z.string().regex(NAME, 'must be a name: letters, digits, ".", "_", "-"'),
  source: z
    .strictObject({
      repo: z.string().min(1).optional(),
      path: z
        .string()
        .refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), 'must be a relative path without ".."')
        .optional(),
    })
    .optional(),
  env,
  build: z.array(argv).default([]),
  roles: z.array(role).min(1).default(['app']),
  configs: z.array(config).default([]),
  shared: z.array(sharedEntry).default(['log', 'tmp']),
  envFile: envFile.optional(),
  program: z.string().regex(NAME, 'must be a program name').optional(),
  health: z
    .strictObject({
      path: z.string().startsWith('/', 'must start with "/"').default('/check.html'),
      port: z.string().min(1).default('app_port'),
    })
    .default({ path: '/check.html', port: 'app_port' }),
  haproxy: z
    .strictObject({
      backend: z.string().min(1),
      socket: absPath.default('/run/haproxy/admin.sock'),
      roles: z.array(role).min(1).default(['lb']),
    })
    .optional(),
  deployPath: absPath.optional(),
  keep: z.number().int().min(1).default(5),
  once: z.array(onceStep).default([]),
  hooks: hooks.optional(),
});

export type ParsedBundle = z.output<typeof bundleSchema>;

function where(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(root)' : path.map(String).join('.');
}

/**
 * Validate what a bundle file exported. `file` is the name shown in errors
 * (e.g. `bundles/demo/bundle.ts`); every error names it and the offending key.
 */
export function parseBundle(
  value: unknown,
  file: string,
  expectedName?: string,
  locate?: (path: readonly PropertyKey[]) => SourcePosition,
): { definition: BundleDefinition; source: ParsedBundle['source']; hooks: BundleHooks } {
  const at = (path: readonly PropertyKey[]) => (locate ? locate(path) : { file });
  const result = bundleSchema.safeParse(value);
  if (!result.success) {
    // an unknown key is named (and placed) itself, not its parent object
    const keyPath = (i: z.core.$ZodIssue) => (i.code === 'unrecognized_keys' ? [...i.path, i.keys[0] ?? ''] : i.path);
    const says = (i: z.core.$ZodIssue) => (i.code === 'unrecognized_keys' ? 'unknown key' : i.message);
    const lines = result.error.issues.map((i) => `${where(keyPath(i))}: ${says(i)}`);
    const first = result.error.issues[0];
    throw new ProjectError(
      first ? at(keyPath(first)) : { file },
      `invalid bundle definition:\n  ${lines.join('\n  ')}`,
    );
  }
  const d = result.data;
  if (expectedName !== undefined && d.name !== expectedName) {
    throw new ProjectError(at(['name']), `name: is '${d.name}' but the bundle folder is '${expectedName}'`);
  }
  const targets = new Set<string>();
  for (const [i, c] of d.configs.entries()) {
    if (targets.has(c.target))
      throw new ProjectError(at(['configs', i, 'target']), `configs.${i}.target: '${c.target}' is used twice`);
    targets.add(c.target);
  }
  for (const key of Object.keys(d.envFile?.vars ?? {}))
    if (!IDENT.test(key))
      throw new ProjectError(
        at(['envFile', 'vars', key]),
        `envFile.vars.${key}: ${JSON.stringify(key)} is not an environment variable name (letters, digits, "_"; not a digit first)`,
      );
  const names = new Set<string>();
  for (const [i, o] of d.once.entries()) {
    if (names.has(o.name)) throw new ProjectError(at(['once', i, 'name']), `once.${i}.name: '${o.name}' is used twice`);
    names.add(o.name);
    if (!d.roles.includes(o.role))
      throw new ProjectError(
        at(['once', i, 'role']),
        `once.${i}.role: unknown role '${o.role}' (the bundle's roles: ${d.roles.join(', ')})`,
      );
  }
  const fns = (d.hooks ?? {}) as BundleHooks;
  const hookNames = HOOK_NAMES.filter((n) => fns[n] !== undefined);
  const definition: BundleDefinition = {
    name: d.name,
    env: d.env,
    build: d.build,
    roles: d.roles,
    configs: d.configs.map((c) => ({
      template: c.template,
      target: c.target,
      ...(c.link !== undefined ? { link: c.link } : {}),
      roles: c.roles ?? d.roles,
      ...(c.validate !== undefined ? { validate: c.validate } : {}),
    })),
    shared: d.shared.filter((s) => typeof s === 'string'),
    ...sharedAndEnv(d),
    program: d.program ?? d.name,
    health: d.health,
    ...(d.haproxy !== undefined ? { haproxy: d.haproxy } : {}),
    deployPath: d.deployPath ?? `/srv/${d.name}`,
    keep: d.keep,
    ...(d.once.length ? { once: d.once } : {}),
    ...(hookNames.length ? { hooks: hookNames } : {}),
  };
  return { definition, source: d.source, hooks: fns };
}

/** The shared files and env file of a parsed definition, as the definition holds them (absent when unused). */
function sharedAndEnv(d: ParsedBundle): Pick<BundleDefinition, 'sharedFiles' | 'envFile'> {
  const files = d.shared.flatMap((s) => (typeof s === 'string' ? [] : [{ path: s.file, optional: s.optional }]));
  return {
    ...(files.length ? { sharedFiles: files } : {}),
    ...(d.envFile
      ? {
          envFile: {
            path: d.envFile.path,
            vars: d.envFile.vars,
            ...(d.envFile.owner !== undefined ? { owner: d.envFile.owner } : {}),
            roles: d.envFile.roles ?? d.roles,
          },
        }
      : {}),
  };
}
