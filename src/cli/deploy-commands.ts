import type { Command as Program } from 'commander';
import { deployCommand } from './commands/deploy.js';
import { rollbackCommand } from './commands/rollback.js';
import { releasesCommand } from './commands/releases.js';
import { unlockCommand } from './commands/unlock.js';
import { restartCommand } from './commands/restart.js';
import { historyCommand } from './commands/history.js';
import { lbCommand } from './commands/lb.js';
import { maintenanceCommand } from './commands/maintenance.js';

/** deploy, rollback, releases, history, unlock, restart, lb, maintenance. */
export function deployCommands(setExit: (code: number) => void): Program[] {
  return [
    deployCommand(setExit),
    rollbackCommand(setExit),
    releasesCommand(setExit),
    historyCommand(setExit),
    unlockCommand(setExit),
    restartCommand(setExit),
    lbCommand(setExit),
    maintenanceCommand(setExit),
  ];
}
