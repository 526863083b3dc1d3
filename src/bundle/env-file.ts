import { ProjectError } from '../errors/index.js';
import type { Host } from '../inventory/types.js';
import { quote } from '../shell/quote.js';
import type { BundleDefinition, EnvValue } from './definition.js';
import type { AttrRef } from './env-refs.js';
import { hasRole } from './has-role.js';
import { nonScalarKind, scalarText } from './scalar.js';

/** The env file's name in a host's config set (`configs/<hash>/.ferry-env`); the release path links to it. */
export const ENV_TARGET = '.ferry-env';

/** One host's env file, ready to send (stdin only: its text holds secrets). */
export interface RenderedEnvFile {
  /** relative to the release dir, e.g. `app/.env` */
  readonly path: string;
  readonly content: string;
  /** the same text with every secret value as `***` (dry-run, logs) */
  readonly shown: string;
  /** the secret values in it, for masking */
  readonly secrets: readonly string[];
  /** chown to this user (else the SSH user keeps it) */
  readonly owner?: string | undefined;
}

/**
 * Where a bundle's env file lives in a release (`<release>/app/.env`), for commands run there (`ferry exec`,
 * once-steps) that load it; undefined when the bundle has none. Only hosts of `envFile.roles` have it.
 */
export function envFilePath(def: BundleDefinition, releaseDir: string): string | undefined {
  return def.envFile ? `${releaseDir.replace(/\/+$/, '')}/${def.envFile.path}` : undefined;
}

/**
 * The env file of one staged config set, `<release>/configs/<hash>/.ferry-env`: what a step run
 * before the switch (a once-step) loads, since `<release>/<path>` follows `config`, flipped only at activation.
 */
export function stagedEnvFile(releaseDir: string, configHash: string): string {
  return `${releaseDir.replace(/\/+$/, '')}/configs/${configHash}/${ENV_TARGET}`;
}

/** The secret names a definition's env file uses, in order, each once. */
export function secretNames(def: BundleDefinition): string[] {
  const names = Object.values(def.envFile?.vars ?? {}).flatMap((v) =>
    typeof v === 'object' && 'secret' in v ? [v.secret] : [],
  );
  return [...new Set(names)];
}

/**
 * One line of the env file: `KEY=value` in POSIX shell single quotes (ferry's one `quote()`), so
 * `set -a; . ./.env` reads every value back byte for byte — newlines, quotes, `$`, backslashes —
 * and so does the demo app's reader (bundles/demo/app/env-file.js).
 */
export function envLine(key: string, value: string): string {
  return `${key}=${quote(value)}\n`;
}

function attrValue(host: Host, name: string): unknown {
  let v: unknown = host.attrs;
  for (const part of name.split('.')) {
    if (typeof v !== 'object' || v === null || Array.isArray(v) || !Object.hasOwn(v, part)) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** An attribute as text: a missing (unless optional), null, map or list attribute is the user's mistake, named. */
function attrText(host: Host, ref: AttrRef, key: string, file: string): string | undefined {
  const name = ref.attr;
  const v = attrValue(host, name);
  const at = `envFile.${key}: attribute '${name}' of host ${host.name}`;
  if (v === undefined && ref.optional) return undefined;
  if (v === undefined) throw new ProjectError({ file }, `${at} is not defined (define it in the inventory or --set)`);
  const kind = nonScalarKind(v);
  if (kind) throw new ProjectError({ file }, `${at} is a ${kind}, not a string, number or boolean`);
  const text = scalarText(v);
  if (text === undefined) throw new ProjectError({ file }, `${at} is ${String(v)}: give it a value`);
  return text;
}

/**
 * Render `host`'s env file (pure; undefined when the bundle has none, or not for this host's roles). `secrets` holds the resolved value of every secretNames() name;
 * `file` names the bundle definition in errors.
 */
export function renderEnvFile(
  def: BundleDefinition,
  host: Host,
  secrets: ReadonlyMap<string, string>,
  file: string,
): RenderedEnvFile | undefined {
  const e = def.envFile;
  if (!e || !hasRole(host, e.roles ?? def.roles)) return undefined;
  let content = '';
  let shown = '';
  const used: string[] = [];
  for (const [key, v] of Object.entries(e.vars) as [string, EnvValue][]) {
    let text: string | undefined;
    if (typeof v !== 'object') text = String(v);
    else if ('attr' in v) text = attrText(host, v, `vars.${key}`, file);
    else {
      const s = secrets.get(v.secret);
      if (s === undefined) throw new ProjectError({ file }, `envFile.vars.${key}: secret ${v.secret} is not set`);
      used.push(s);
      content += envLine(key, s);
      shown += `${key}=***\n`;
      continue;
    }
    if (text === undefined) continue;
    if (text.includes('\0'))
      throw new ProjectError({ file }, `envFile.vars.${key}: a NUL byte cannot be in an env file`);
    content += envLine(key, text);
    shown += envLine(key, text);
  }
  const owner = typeof e.owner === 'object' ? attrText(host, e.owner, 'owner', file) : e.owner;
  if (owner !== undefined && !/^[A-Za-z_][A-Za-z0-9_.-]*\$?$/.test(owner))
    throw new ProjectError({ file }, `envFile.owner: ${JSON.stringify(owner)} (host ${host.name}) is not a user name`);
  return { path: e.path, content, shown, secrets: used, ...(owner !== undefined ? { owner } : {}) };
}
