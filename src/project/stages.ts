import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors/usage-error.js';

/** Stages are files: `inventories/<stage>.yaml`, each a whole inventory (hosts, roles, attrs). */
export const STAGES_DIR = 'inventories';

/** The stages a project has, sorted. */
export function stageNames(projectDir: string): string[] {
  try {
    return readdirSync(join(projectDir, STAGES_DIR))
      .filter((f) => /^[A-Za-z0-9][A-Za-z0-9_.-]*\.ya?ml$/.test(f))
      .map((f) => f.replace(/\.ya?ml$/, ''))
      .sort();
  } catch {
    return [];
  }
}

export interface InventoryChoice {
  readonly file: string;
  /** undefined: the project's single inventory.yaml (or --inventory FILE) */
  readonly stage?: string | undefined;
}

const known = (names: readonly string[]) => (names.length ? names.join(', ') : `none: no ${STAGES_DIR}/*.yaml`);

/**
 * Which inventory a command uses: --inventory FILE; else --stage NAME, else the settings' default
 * stage; else inventory.yaml. A project with stages but neither a stage nor inventory.yaml is told
 * which stages it has.
 */
export function chooseInventory(
  projectDir: string,
  flags: { readonly inventory?: string | undefined; readonly stage?: string | undefined },
  defaultStage: string | undefined,
): InventoryChoice {
  if (flags.inventory !== undefined && flags.stage !== undefined)
    throw new UsageError('--inventory and --stage both name the inventory: pass one of them');
  if (flags.inventory !== undefined) return { file: resolve(projectDir, flags.inventory) };
  const stage = flags.stage ?? defaultStage;
  const names = stageNames(projectDir);
  if (stage === undefined) {
    const single = join(projectDir, 'inventory.yaml');
    if (!existsSync(single) && names.length)
      throw new UsageError(`no inventory.yaml in ${projectDir}: pass --stage NAME (stages: ${known(names)})`);
    return { file: single };
  }
  for (const ext of ['yaml', 'yml']) {
    const file = join(projectDir, STAGES_DIR, `${stage}.${ext}`);
    if (existsSync(file)) return { file, stage };
  }
  const from = flags.stage === undefined ? ' (the default stage in ferry.yaml)' : '';
  throw new UsageError(`unknown stage '${stage}'${from}; stages: ${known(names)}`);
}
