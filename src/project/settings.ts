import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NotifyConfig } from '../notify/types.js';

/** `ferry.yaml`: what would otherwise be a flag on every command. Flags still win. */
export interface ProjectSettings {
  readonly file: string;
  /** the stage used when --stage is not given (inventories/<stage>.yaml) */
  readonly stage?: string | undefined;
  /** absolute paths */
  readonly knownHosts?: string | undefined;
  readonly identity: readonly string[];
  readonly parallel?: number | undefined;
  /** run log folders kept under .ferry/logs */
  readonly keepLogs?: number | undefined;
  /** where deploys, rollbacks and restarts are announced (README "Deploy notifications") */
  readonly notify?: NotifyConfig | undefined;
}

export const SETTINGS_FILE = 'ferry.yaml';

/**
 * The project's ferry.yaml, or no settings when there is none; errors name file:line:column.
 * Its parser (YAML with positions, the zod schema) loads only when there is a file: ~15 ms of
 * every command's start-up otherwise, when most projects have none.
 */
export async function loadSettings(projectDir: string): Promise<ProjectSettings> {
  const file = join(projectDir, SETTINGS_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { file, identity: [] };
    throw err;
  }
  const { parseSettings } = await import('./settings-schema.js');
  return parseSettings(projectDir, file, text);
}
