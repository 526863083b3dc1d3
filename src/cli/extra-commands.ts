import type { Command as Program } from 'commander';

/** Built-in commands beyond `run` (bundle, deploy, releases, rollback, unlock, restart). */
export function extraCommands(_setExit: (code: number) => void): Program[] {
  return [];
}
