import { Command as Program } from 'commander';
import { ProjectError } from '../errors/project-error.js';
import type { LoadedTask } from '../project/load-tasks.js';
import { addGlobalOptions, type GlobalOptions } from './global-options.js';
import { runCommand } from './run-command.js';
import { taskCommand } from './task-command.js';
import { extraCommands } from './extra-commands.js';
import { commandWord } from './command-word.js';
import { BUILTIN_COMMANDS } from './builtin-commands.js';
import { applyProjectSettings } from './stage-guard.js';

/** The whole command tree: global flags, built-in commands, one command per task. */
export async function buildProgram(
  argv: readonly string[],
  tasks: readonly LoadedTask[],
  setExit: (code: number) => void,
): Promise<Program> {
  const program = addGlobalOptions(new Program('ferry'))
    .description('typed remote tasks and versioned bundles over SSH')
    .option('--list', 'list tasks (tasks/*.ts) with their params')
    .option('-V, --version', "print ferry's version")
    .showHelpAfterError('(ferry --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .hook('preAction', (_self, action) => applyProjectSettings(program, action));
  program.addCommand(runCommand(setExit));
  for (const c of await extraCommands(commandWord(argv), setExit, () => program.opts<GlobalOptions>()))
    program.addCommand(c);
  for (const t of tasks) {
    if (BUILTIN_COMMANDS.includes(t.definition.name))
      throw new ProjectError({ file: t.file }, `task name "${t.definition.name}" clashes with the built-in command`);
    program.addCommand(taskCommand(t, setExit));
  }
  for (const c of program.commands) c.exitOverride();
  return program;
}
