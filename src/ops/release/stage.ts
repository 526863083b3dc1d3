import { quote } from '../../shell/quote.js';
import { render, type Command } from '../../shell/command.js';
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

export function assertRelative(kind: string, p: string): void {
  if (!p || p.startsWith('/') || p.split('/').some((s) => s === '..' || s === '')) throw new Error(`invalid ${kind} path "${p}"`);
}

function assertHash(hash: string): string {
  if (!/^[0-9a-f]{8,64}$/.test(hash)) throw new Error(`invalid config hash "${hash}"`);
  return hash;
}

/** Unpack the configs tar (stdin) into `dir` and validate every config there. */
function configSteps(dir: string, set: ConfigSet): string[] {
  const steps = [`mkdir -p ${quote(dir)}`, `tar -xf - -C ${quote(dir)}`];
  for (const c of set.configs) {
    assertRelative('config target', c.target);
    const v = c.validate?.(`${dir}/${c.target}`);
    if (v) steps.push(`{ ${render(v, { masked: false })}; } </dev/null`);
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
  const q = quote;
  const hash = assertHash(i.configSet.hash);
  const steps: string[] = [`rm -rf ${q(part)}`, `mkdir -p ${q(part)}`, `tar -xzf ${q(paths.cacheFile(i.sha256))} -C ${q(part)}`];
  // shared dirs first: configs may name files in them (logs), and validators open those
  for (const s of i.shared) {
    assertRelative('shared', s);
    steps.push(`mkdir -p ${q(`${paths.shared}/${s}`)}`, `rm -rf ${q(`${part}/${s}`)}`, `ln -s ${q(`${paths.shared}/${s}`)} ${q(`${part}/${s}`)}`);
  }
  steps.push(...configSteps(`${part}/configs/${hash}`, i.configSet), `ln -sfn ${q(`configs/${hash}`)} ${q(`${part}/config`)}`);
  steps.push(
    `printf '%s\\n' ${q(i.sha256)} > ${q(part)}/.ferry-sha256`,
    `find ${q(part)} -type f -exec chmod a-w {} +`,
    `mv -T ${q(part)} ${q(paths.release(i.id))}`,
  );
  return { script: steps.join(' && ') };
}

/**
 * A release already on the host, but this host's configs changed (inventory, --set): stage the new
 * set beside the old ones as configs/<hash>, validated. `config` is flipped only at activation.
 */
export function stageConfigsCommand(paths: ReleasePaths, id: string, set: ConfigSet): Command {
  const dir = `${paths.release(id)}/configs/${assertHash(set.hash)}`;
  const part = `${dir}.partial`;
  return {
    script: [`rm -rf ${quote(part)}`, ...configSteps(part, set), `find ${quote(part)} -type f -exec chmod a-w {} +`, `rm -rf ${quote(dir)}`, `mv -T ${quote(part)} ${quote(dir)}`].join(' && '),
  };
}
