import { relative, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Command as Program } from 'commander';
import { UsageError } from '../errors/usage-error.js';
import { loadInventory } from '../project/load-inventory.js';
import { loadSettings } from '../project/settings.js';
import { chooseInventory } from '../project/stages.js';
import type { GlobalOptions } from './global-options.js';

/** Commands (or `command subcommand`) that never change a host: a protected stage does not ask for them. */
const CHANGES_NOTHING = new Set(['releases', 'history', 'bundle', 'help', 'logs', 'lb status']);
/** Commands that read no inventory at all. */
const NO_INVENTORY = new Set(['init', 'check', 'help']);

/** The command under `ferry` that runs (`bundle` for `ferry bundle build`). */
function topCommand(program: Program, action: Program): string {
  let c = action;
  while (c.parent && c.parent !== program) c = c.parent;
  return c.name();
}

async function confirm(stage: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  try {
    const answer = await rl.question(`stage ${stage} is protected: type its name to go on (anything else stops): `);
    return answer.trim() === stage;
  } finally {
    rl.close();
  }
}

/**
 * Before a command runs (commander's preAction): fill what the flags left open from ferry.yaml
 * (stage, known_hosts, identity, parallel, keep_logs), point --inventory at the chosen stage's file, and
 * stop before any connection when a protected stage is not confirmed (a terminal asks; elsewhere
 * --yes is needed). The stage is written to stderr, so every run's output says where it went.
 */
export async function applyProjectSettings(program: Program, action: Program): Promise<void> {
  const word = topCommand(program, action);
  if (NO_INVENTORY.has(word)) return;
  const opts = program.opts<GlobalOptions>();
  const projectDir = resolve(opts.project ?? process.cwd());
  const settings = await loadSettings(projectDir);
  const set = (key: string, value: unknown) => program.setOptionValueWithSource(key, value, 'config');
  if (opts.knownHosts === undefined && settings.knownHosts) set('knownHosts', settings.knownHosts);
  if (opts.identity.length === 0 && settings.identity.length) set('identity', [...settings.identity]);
  if (program.getOptionValueSource('parallel') === 'default' && settings.parallel) set('parallel', settings.parallel);
  if (program.getOptionValueSource('keepLogs') === 'default' && settings.keepLogs) set('keepLogs', settings.keepLogs);
  let choice: ReturnType<typeof chooseInventory>;
  try {
    choice = chooseInventory(projectDir, opts, settings.stage);
  } catch (err) {
    if (word === 'bundle' && opts.stage === undefined) return; // `bundle ls|show|build` need no hosts
    throw err;
  }
  set('inventory', choice.file);
  if (choice.stage === undefined) return;
  set('stage', choice.stage);
  if (CHANGES_NOTHING.has(word) || CHANGES_NOTHING.has(`${word} ${action.name()}`)) return;
  const shown = relative(process.cwd(), choice.file) || choice.file;
  const inv = await loadInventory(choice.file);
  if (inv.tagsOnly && action.getOptionValue('ref') !== undefined) {
    throw new UsageError(
      `stage ${choice.stage} deploys tags only (stage.tagsOnly in ${shown}): pass --tag, not --ref; nothing changed`,
    );
  }
  const guard = inv.protected && !opts.dryRun;
  process.stderr.write(`ferry: stage ${choice.stage} (${shown}${inv.protected ? ', protected' : ''})\n`);
  if (!guard || opts.yes) return;
  if (!process.stdin.isTTY || !process.stderr.isTTY)
    throw new UsageError(`stage ${choice.stage} is protected: pass --yes to run without a terminal; nothing changed`);
  if (!(await confirm(choice.stage))) throw new UsageError(`stage ${choice.stage} not confirmed; nothing changed`);
}
