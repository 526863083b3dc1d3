import { UsageError } from '../../errors/usage-error.js';
import { and, cmd, render, sh, type Command } from '../../shell/command.js';
import { quote } from '../../shell/quote.js';
import type { ReleasePaths } from './paths.js';

export interface StagedConfig {
  /** path under the release's config/ dir */
  readonly target: string;
  /** validator command for a candidate file, when the config has one */
  readonly validate?: ((file: string) => Command | undefined) | undefined;
}

export interface ConfigSet {
  /** content hash of this host's rendered configs: releases/<id>/configs/<hash>/ */
  readonly hash: string;
  readonly configs: readonly StagedConfig[];
  /** the tar holds this host's env file as `.ferry-env` (mode 0600); `owner` gets it (else the SSH user keeps it) */
  readonly envFile?: { readonly owner?: string | undefined } | undefined;
}

/** A file in `shared/` linked into each release at the same relative path. */
export interface SharedFile {
  readonly path: string;
  /** a missing optional file is not linked (the release's own file, if any, stays) */
  readonly optional: boolean;
}

export interface StageInput {
  readonly paths: ReleasePaths;
  readonly id: string;
  readonly sha256: string;
  readonly shared: readonly string[];
  readonly sharedFiles?: readonly SharedFile[] | undefined;
  /** the env file's path in the release (a link to `config/.ferry-env`, so it flips with the config set) */
  readonly envPath?: string | undefined;
  readonly configSet: ConfigSet;
}

/** Shared dirs and config targets come from a bundle definition: a path leaving the release is the user's mistake. */
function assertRelative(kind: string, p: string): void {
  if (!p || p.startsWith('/') || p.split('/').some((s) => s === '..' || s === '')) {
    throw new UsageError(`invalid ${kind} path "${p}": must be relative, without "..", "//" or a trailing "/"`);
  }
}

/** ferry computes the hash itself: anything else is a bug. */
function assertHash(hash: string): string {
  if (!/^[0-9a-f]{8,64}$/.test(hash)) throw new Error(`invalid config hash "${hash}"`);
  return hash;
}

const SBIN = '/usr/local/sbin:/usr/sbin:/sbin';

/** Every file read-only: a release is never edited in place. */
const freeze = (dir: string): Command => cmd('find', dir, '-type', 'f', '-exec', 'chmod', 'a-w', '{}', '+');

const ENV_FILE = '.ferry-env';

/** After the freeze: the env file is 0600 (never more, not even for a moment: the tar holds it 0600), its owner's. */
function envSteps(dir: string, set: ConfigSet): Command[] {
  if (!set.envFile) return [];
  const file = `${dir}/${ENV_FILE}`;
  const owner = set.envFile.owner;
  if (owner !== undefined && !/^[A-Za-z_][A-Za-z0-9_.-]*\$?$/.test(owner))
    throw new UsageError(`invalid env file owner "${owner}": must be a user name`);
  // chown needs root unless the owner is the SSH user itself
  const chown =
    owner === undefined ? [] : [sh(`[ "$(id -un)" = ${quote(owner)} ] || chown ${quote(owner)} ${quote(file)}`)];
  return [cmd('chmod', '600', file), ...chown];
}

/** `<part>/<path>` → `config/.ferry-env`, relative (the release may be read through `current`). */
function envLink(part: string, path: string): Command[] {
  assertRelative('env file', path);
  const up = '../'.repeat(path.split('/').length - 1);
  const at = `${part}/${path}`;
  return [
    cmd('mkdir', '-p', at.slice(0, at.lastIndexOf('/'))),
    cmd('rm', '-rf', at),
    cmd('ln', '-s', `${up}config/${ENV_FILE}`, at),
  ];
}

/**
 * Link each shared file into the release. A required one that is missing fails staging here, naming
 * the path — before any host is switched.
 */
function sharedFileSteps(part: string, shared: string, files: readonly SharedFile[]): Command[] {
  return files.flatMap((f) => {
    assertRelative('shared file', f.path);
    const src = `${shared}/${f.path}`;
    const dst = `${part}/${f.path}`;
    const link = `mkdir -p ${quote(dst.slice(0, dst.lastIndexOf('/')))} && rm -rf ${quote(dst)} && ln -s ${quote(src)} ${quote(dst)}`;
    if (f.optional) return [sh(`[ ! -e ${quote(src)} ] || ( ${link} )`)];
    const why = `ferry: required shared file ${src} is missing (shared: { file: '${f.path}' }): put it there, or mark it optional`;
    return [sh(`[ -e ${quote(src)} ] || ( printf '%s\\n' ${quote(why)} >&2 && exit 1 )`), sh(link)];
  });
}

/** Unpack the configs tar (stdin) into `dir` and validate every config there. */
function configSteps(dir: string, set: ConfigSet): Command[] {
  const steps = [cmd('mkdir', '-p', dir), cmd('tar', '-xf', '-', '-C', dir)];
  for (const c of set.configs) {
    assertRelative('config target', c.target);
    const v = c.validate?.(`${dir}/${c.target}`);
    // stdin is the configs tar: a validator never reads it. Validators run as the SSH user (they need
    // no root), and a deploy user's PATH lacks the sbin dirs where nginx and haproxy live
    if (v) steps.push(sh(`{ export PATH="$PATH:${SBIN}" && ${render(v, { masked: false })}; } </dev/null`));
  }
  return steps;
}

/**
 * Extract the cached artifact into releases/<id>.partial, unpack this host's rendered configs (a tar
 * on stdin) into configs/<hash>/ with `config -> configs/<hash>`, link shared dirs, validate every
 * config, then rename to releases/<id>. A failure leaves only a .partial dir (removed next time).
 */
export function stageCommand(i: StageInput): Command {
  const { paths } = i;
  const part = paths.partial(i.id);
  const hash = assertHash(i.configSet.hash);
  const steps = [cmd('rm', '-rf', part), cmd('mkdir', '-p', part)];
  steps.push(cmd('tar', '-xzf', paths.cacheFile(i.sha256), '-C', part));
  // shared dirs first: configs may name files in them (logs), and validators open those
  for (const s of i.shared) {
    assertRelative('shared', s);
    const dir = `${paths.shared}/${s}`;
    steps.push(cmd('mkdir', '-p', dir), cmd('rm', '-rf', `${part}/${s}`), cmd('ln', '-s', dir, `${part}/${s}`));
  }
  steps.push(...sharedFileSteps(part, paths.shared, i.sharedFiles ?? []));
  steps.push(...configSteps(`${part}/configs/${hash}`, i.configSet));
  steps.push(cmd('ln', '-sfn', `configs/${hash}`, `${part}/config`));
  if (i.envPath !== undefined) steps.push(...envLink(part, i.envPath));
  steps.push(
    sh(`printf '%s\\n' ${quote(i.sha256)} > ${quote(`${part}/.ferry-sha256`)}`),
    freeze(part),
    ...envSteps(`${part}/configs/${hash}`, i.configSet),
    cmd('mv', '-T', part, paths.release(i.id)),
  );
  return and(...steps);
}

/**
 * A release already on the host, but this host's configs changed (inventory, --set): stage the new
 * set beside the old ones as configs/<hash>, validated. `config` is flipped only at activation.
 */
export function stageConfigsCommand(paths: ReleasePaths, id: string, set: ConfigSet): Command {
  const dir = `${paths.release(id)}/configs/${assertHash(set.hash)}`;
  const part = `${dir}.partial`;
  const swap = [cmd('rm', '-rf', dir), cmd('mv', '-T', part, dir)];
  return and(cmd('rm', '-rf', part), ...configSteps(part, set), freeze(part), ...envSteps(part, set), ...swap);
}
