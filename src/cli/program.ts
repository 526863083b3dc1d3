import { Command as Program, type Option } from 'commander';
import { ProjectError } from '../errors/project-error.js';
import type { LoadedTask } from '../project/load-tasks.js';
import { addGlobalOptions, type GlobalOptions } from './global-options.js';
import { runCommand } from './run-command.js';
import { taskCommand } from './task-command.js';
import { extraCommands } from './extra-commands.js';
import { commandWord } from './command-word.js';
import { BUILTIN_COMMANDS } from './builtin-commands.js';
import { applyProjectSettings } from './stage-guard.js';

/**
 * Commander checks required options before unknown ones, so `--tga v1` would be reported as a
 * missing `--tag`-like option. Required options are made optional here and checked in the
 * preAction hook instead: after commander's unknown-option and argument checks.
 */
function deferRequired(cmd: Program, required: Map<Program, Option[]>): void {
  const mine = cmd.options.filter((o) => o.mandatory);
  for (const o of mine) o.mandatory = false;
  if (mine.length) required.set(cmd, mine);
  for (const c of cmd.commands) deferRequired(c, required);
}

function checkRequired(action: Program, required: ReadonlyMap<Program, Option[]>): void {
  for (const o of required.get(action) ?? []) {
    if (action.getOptionValue(o.attributeName()) === undefined)
      action.error(`error: required option '${o.flags}' not specified`, {
        code: 'commander.missingMandatoryOptionValue',
      });
  }
}

/** The whole command tree: global flags, built-in commands, one command per task. */
export async function buildProgram(
  argv: readonly string[],
  tasks: readonly LoadedTask[],
  setExit: (code: number) => void,
): Promise<Program> {
  const required = new Map<Program, Option[]>();
  const program = addGlobalOptions(new Program('ferry'))
    .description('typed remote tasks and versioned bundles over SSH')
    .option('--list', 'list tasks (tasks/*.ts) with their params')
    .option('-V, --version', "print ferry's version")
    .showHelpAfterError('(ferry --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .hook('preAction', (_self, action) => {
      checkRequired(action, required);
      // listr2's colours (colorette) read NO_COLOR when they load, after this
      if (program.opts<GlobalOptions>().color === false) process.env.NO_COLOR = '1';
      return applyProjectSettings(program, action);
    });
  program.addCommand(runCommand(setExit));
  for (const c of await extraCommands(commandWord(argv), setExit, () => program.opts<GlobalOptions>()))
    program.addCommand(c);
  for (const t of tasks) {
    if (BUILTIN_COMMANDS.includes(t.definition.name))
      throw new ProjectError({ file: t.file }, `task name "${t.definition.name}" clashes with the built-in command`);
    program.addCommand(taskCommand(t, setExit));
  }
  // every level throws instead of exiting (`bundle render`'s usage errors too): main maps them to exit 2
  const throwing = (c: Program) => {
    for (const sub of c.commands) throwing(sub.exitOverride());
  };
  throwing(program);
  deferRequired(program, required);
  return program;
}
