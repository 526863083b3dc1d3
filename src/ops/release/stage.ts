import { quote } from '../../shell/quote.js';
import { render, type Command } from '../../shell/command.js';
import type { ReleasePaths } from './paths.js';

export interface StagedConfig {
  /** path under the release's config/ dir */
  readonly target: string;
  /** validator command for the candidate file, when the config has one */
  readonly validate?: Command | undefined;
}

export interface StageInput {
  readonly paths: ReleasePaths;
  readonly id: string;
  readonly sha256: string;
  readonly shared: readonly string[];
  readonly configs: readonly StagedConfig[];
}

export function assertRelative(kind: string, p: string): void {
  if (!p || p.startsWith('/') || p.split('/').some((s) => s === '..' || s === '')) throw new Error(`invalid ${kind} path "${p}"`);
}

/**
 * Extract the cached artifact into releases/<id>.partial, unpack the rendered configs (a tar on
 * stdin) into its config/, link shared dirs, validate every config, then rename to releases/<id>.
 * Any failure leaves only a .partial dir, which the next stage or prune removes.
 */
export function stageCommand(i: StageInput): Command {
  const { paths } = i;
  const part = paths.partial(i.id);
  const q = quote;
  const steps: string[] = [
    `rm -rf ${q(part)}`,
    `mkdir -p ${q(part)}/config`,
    `tar -xzf ${q(paths.cacheFile(i.sha256))} -C ${q(part)}`,
    `tar -xf - -C ${q(part)}/config`,
  ];
  for (const s of i.shared) {
    assertRelative('shared', s);
    steps.push(`mkdir -p ${q(`${paths.shared}/${s}`)}`, `rm -rf ${q(`${part}/${s}`)}`, `ln -s ${q(`${paths.shared}/${s}`)} ${q(`${part}/${s}`)}`);
  }
  for (const c of i.configs) {
    assertRelative('config target', c.target);
    if (c.validate) steps.push(`{ ${render(c.validate, { masked: false })}; } </dev/null`);
  }
  steps.push(
    `printf '%s\\n' ${q(i.sha256)} > ${q(part)}/.ferry-sha256`,
    `find ${q(part)} -type f -exec chmod a-w {} +`,
    `mv -T ${q(part)} ${q(paths.release(i.id))}`,
  );
  return { script: steps.join(' && ') };
}
