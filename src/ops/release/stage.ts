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
}

export interface StageInput {
  readonly paths: ReleasePaths;
  readonly id: string;
  readonly sha256: string;
  readonly shared: readonly string[];
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
  steps.push(...configSteps(`${part}/configs/${hash}`, i.configSet));
  steps.push(cmd('ln', '-sfn', `configs/${hash}`, `${part}/config`));
  steps.push(
    sh(`printf '%s\\n' ${quote(i.sha256)} > ${quote(`${part}/.ferry-sha256`)}`),
    freeze(part),
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
  return and(cmd('rm', '-rf', part), ...configSteps(part, set), freeze(part), ...swap);
}
