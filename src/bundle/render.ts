import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve, sep, extname } from 'node:path';
import { Liquid, type FS } from 'liquidjs';
import { ProjectError } from '../errors/index.js';
import type { Host } from '../inventory/types.js';
import type { BuiltBundle } from './cache.js';
import type { BundleDefinition } from './definition.js';
import { hasRole } from './has-role.js';
import { nonScalarKind } from './scalar.js';

/** A `{{ }}` that would print a map or list (`[object Object]`): the template's mistake, named with its key. */
class NonScalarOutput extends Error {
  constructor(readonly what: 'map' | 'list') {
    super(`is a ${what}`);
  }
}

function scalarOutput(value: unknown): string {
  const kind = nonScalarKind(value);
  if (kind) throw new NonScalarOutput(kind);
  return value === null || value === undefined ? '' : String(value);
}

export interface RenderContext {
  readonly host: Host;
  /** the whole inventory, in inventory order */
  readonly hosts: readonly Host[];
  readonly bundle: { readonly name: string; readonly id: string; readonly tag: string; readonly commit: string };
  /** the release this host gets: `<deployPath>/releases/<id>` */
  readonly release: { readonly path: string };
  readonly deploy: { readonly path: string; readonly current: string };
}

export interface RenderedConfig {
  /** path under `<release>/config/` */
  readonly target: string;
  readonly link?: string;
  readonly validate?: string;
  readonly content: string;
}

/** The context for `host` receiving `bundle`, with the paths of the definition. */
export function renderContext(bundle: BuiltBundle, host: Host, hosts: readonly Host[]): RenderContext {
  const m = bundle.manifest;
  const path = m.definition.deployPath;
  return {
    host,
    hosts,
    bundle: { name: m.name, id: m.id, tag: m.tag, commit: m.commit },
    release: { path: `${path}/releases/${m.id}` },
    deploy: { path, current: `${path}/current` },
  };
}

/**
 * The file system liquid reads partials through: confined to `root`, and remembering which
 * file each source text came from (liquid's error tokens carry the text, not the file name).
 */
function recordingFs(seen: Map<string, string>): FS {
  const remember = (file: string, text: string): string => {
    if (!seen.has(text)) seen.set(text, file);
    return text;
  };
  return {
    exists: async (file) => existsSync(file),
    existsSync: (file) => existsSync(file),
    readFile: async (file) => remember(file, await readFile(file, 'utf8')),
    readFileSync: (file) => remember(file, readFileSync(file, 'utf8')),
    resolve: (root, file, ext) => resolve(root, extname(file) ? file : file + ext),
    contains: async (root, file) => {
      const r = resolve(root);
      return file.startsWith(r.endsWith(sep) ? r : r + sep);
    },
    dirname: (file) => dirname(file),
    sep,
  };
}

function engine(root: string, seen: Map<string, string>): Liquid {
  const liquid = new Liquid({
    fs: recordingFs(seen),
    root: [root],
    partials: [root],
    relativeReference: true,
    strictVariables: true,
    strictFilters: true,
    lenientIf: true, // `{% if host.attrs.x %}` and `| default:` may test for an attribute
    ownPropertyOnly: true,
    cache: false,
    outputEscape: scalarOutput,
  });
  /** `hosts | with_role: 'app'`: the hosts having that role, in inventory order */
  liquid.registerFilter('with_role', (hosts: unknown, role: unknown) =>
    Array.isArray(hosts) ? hosts.filter((h: Host) => Array.isArray(h?.roles) && h.roles.includes(String(role))) : [],
  );
  return liquid;
}

/**
 * One engine per template root, reused for every host and template: building a Liquid engine
 * costs ~2 ms (it normalizes its options and registers every tag and filter), rendering
 * a small config ~0.1 ms. `seen` maps each source text to its file, for error positions.
 */
const engines = new Map<string, { liquid: Liquid; seen: Map<string, string> }>();
function engineFor(root: string): { liquid: Liquid; seen: Map<string, string> } {
  let e = engines.get(root);
  if (!e) {
    const seen = new Map<string, string>();
    e = { liquid: engine(root, seen), seen };
    engines.set(root, e);
  }
  return e;
}

interface LiquidLikeError {
  message: string;
  token?: { file?: string; input?: string; content?: string; getPosition?: () => number[] };
  originalError?: Error;
}

/** A liquid error as a ProjectError naming `bundles/<name>/<template>:line:col` and what was wrong. */
function projectError(
  e: unknown,
  root: string,
  display: string,
  template: string,
  seen: ReadonlyMap<string, string>,
): ProjectError {
  const err = e as LiquidLikeError;
  const input = err.token?.input;
  const file = err.token?.file ?? (input !== undefined ? seen.get(input) : undefined);
  const rel = file?.startsWith(`${root}/`) ? file.slice(root.length + 1) : template;
  const [line, column] = err.token?.getPosition?.() ?? [];
  const inner = err.originalError;
  const reason =
    inner instanceof NonScalarOutput
      ? `${err.token?.content?.trim() ?? 'a value'} is a ${inner.what}, not a string, number or boolean ` +
        '(print a key inside it, or pipe it through | json)'
      : (inner?.message ?? err.message).replace(/, (file:.*?, )?line:\d+, col:\d+$/s, '');
  const hint = /undefined variable/.test(reason) ? ' (define it in the inventory: defaults, role or host attrs)' : '';
  return new ProjectError(
    { file: `${display}/${rel}`, ...(line !== undefined ? { line } : {}), ...(column !== undefined ? { column } : {}) },
    `${reason}${hint}`,
    { cause: e },
  );
}

function templateContext(def: BundleDefinition, ctx: RenderContext): Record<string, unknown> {
  return {
    host: ctx.host,
    hosts: ctx.hosts,
    bundle: {
      ...ctx.bundle,
      program: def.program,
      health: def.health,
      ...(def.haproxy ? { haproxy: def.haproxy } : {}),
      roles: def.roles,
    },
    release: ctx.release,
    deploy: { ...ctx.deploy, shared: `${ctx.deploy.path}/shared` },
  };
}

/**
 * Render a template text (pure: no I/O but partials under `root`). Strict: an undefined
 * variable or filter is a ProjectError naming `display/template:line:col`.
 */
export async function renderTemplate(
  text: string,
  opts: { root: string; display: string; template: string; context: Record<string, unknown> },
): Promise<string> {
  const { liquid, seen } = engineFor(opts.root);
  if (!seen.has(text)) seen.set(text, `${opts.root}/${opts.template}`);
  try {
    const parsed = liquid.parse(text, `${opts.root}/${opts.template}`);
    return (await liquid.render(parsed, opts.context)) as string;
  } catch (e) {
    throw projectError(e, opts.root, opts.display, opts.template, seen);
  }
}

/**
 * The configs `ctx.host` gets from a built bundle (those whose roles match the host), rendered
 * from the templates of the bundle's own revision.
 */
export async function renderConfigs(bundle: BuiltBundle, ctx: RenderContext): Promise<RenderedConfig[]> {
  const def = bundle.manifest.definition;
  const display = `bundles/${bundle.manifest.name}`;
  const context = templateContext(def, ctx);
  const out: RenderedConfig[] = [];
  for (const c of def.configs) {
    if (!hasRole(ctx.host, c.roles)) continue;
    const text = await readFile(`${bundle.templatesDir}/${c.template}`, 'utf8');
    const content = await renderTemplate(text, { root: bundle.templatesDir, display, template: c.template, context });
    out.push({
      target: c.target,
      ...(c.link ? { link: c.link } : {}),
      ...(c.validate ? { validate: c.validate } : {}),
      content,
    });
  }
  return out;
}
