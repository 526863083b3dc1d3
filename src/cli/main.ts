#!/usr/bin/env node
import { Command as Program, CommanderError } from 'commander';
import { ProjectError } from '../errors/project-error.js';
import { loadTasks, type LoadedTask } from '../project/load-tasks.js';
import { addGlobalOptions, type GlobalOptions } from './global-options.js';
import { exitCodeFor } from './exit-code.js';
import { formatTaskList } from './list-tasks.js';
import { projectDirFromArgv } from './project-dir.js';
import { runCommand } from './run-command.js';
import { taskCommand } from './task-command.js';
import { extraCommands } from './extra-commands.js';

/** The CLI entry: the only place that calls process.exit. */
async function main(argv: string[]): Promise<number> {
  let exit = 0;
  const setExit = (code: number) => {
    exit = code;
  };
  const projectDir = projectDirFromArgv(argv);
  const wantsList = argv.includes('--list');
  let tasks: LoadedTask[] = [];
  let taskError: unknown;
  try {
    tasks = await loadTasks(projectDir);
  } catch (err) {
    taskError = err;
  }
  if (wantsList) {
    if (taskError) throw taskError;
    process.stdout.write(formatTaskList(tasks));
    return 0;
  }
  const program = addGlobalOptions(new Program('ferry'))
    .description('typed remote tasks and versioned bundles over SSH')
    .option('--list', 'list tasks (tasks/*.ts) with their params')
    .showHelpAfterError('(ferry --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  program.addCommand(runCommand(setExit));
  for (const c of extraCommands(setExit, () => program.opts<GlobalOptions>())) program.addCommand(c);
  const builtin = new Set(program.commands.map((c) => c.name()));
  for (const t of tasks) {
    if (builtin.has(t.definition.name)) throw new ProjectError({ file: t.file }, `task name "${t.definition.name}" clashes with the built-in command`);
    program.addCommand(taskCommand(t, setExit));
  }
  const firstWord = argv.find((a) => !a.startsWith('-'));
  if (taskError && firstWord && !builtin.has(firstWord)) throw taskError;
  for (const c of program.commands) c.exitOverride();
  await program.parseAsync(argv, { from: 'user' });
  return exit;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    const verbose = process.argv.includes('-v') || process.argv.includes('--verbose');
    process.stderr.write(`ferry: ${err instanceof Error ? err.message : String(err)}\n`);
    if (verbose && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    process.exitCode = exitCodeFor(err);
  },
);
