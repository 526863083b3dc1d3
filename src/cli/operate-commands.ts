import type { Command as Program } from 'commander';
import { logsCommand } from './commands/logs.js';

/** logs, ssh, exec. */
export function operateCommands(setExit: (code: number) => void): Program[] {
  return [logsCommand(setExit)];
}
