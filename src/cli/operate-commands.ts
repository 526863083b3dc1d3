import type { Command as Program } from 'commander';
import { execCommand } from './commands/exec.js';
import { logsCommand } from './commands/logs.js';
import { sshCommand } from './commands/ssh.js';

/** logs, ssh, exec. */
export function operateCommands(setExit: (code: number) => void): Program[] {
  return [logsCommand(setExit), sshCommand(setExit), execCommand(setExit)];
}
