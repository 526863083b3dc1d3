// The one list of built-in command names. Tiny on purpose: main.ts reads it before it decides
// whether to load tasks or commander's command tree.

/** deploy, rollback, releases, history, unlock, restart, lb, maintenance: one module (deploy-commands.ts) loads them. */
export const DEPLOY_COMMANDS: readonly string[] = [
  'deploy',
  'rollback',
  'releases',
  'history',
  'unlock',
  'restart',
  'lb',
  'maintenance',
];

/** logs, ssh, exec: operating a live fleet (operate-commands.ts). */
export const OPERATE_COMMANDS: readonly string[] = ['logs', 'ssh', 'exec'];

/** Every built-in command (besides commander's `help`); no task may take one of these names. */
export const BUILTIN_COMMANDS: readonly string[] = [
  'run',
  'bundle',
  ...DEPLOY_COMMANDS,
  'check',
  'init',
  ...OPERATE_COMMANDS,
];
