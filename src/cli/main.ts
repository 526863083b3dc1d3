#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import { loadTasks, type LoadedTask } from '../project/load-tasks.js';
import { exitCodeFor } from './exit-code.js';
import { formatTaskList } from './list-tasks.js';
import { projectDirFromArgv } from './project-dir.js';
import { commandWord, normalizeJsonFlag } from './command-word.js';
import { BUILTIN_COMMANDS } from './builtin-commands.js';

/** Built-in commands that never look at tasks/*.ts (`help` and `check` do). */
const NO_TASKS = new Set(BUILTIN_COMMANDS.filter((c) => c !== 'check'));

/** The CLI entry: the only place that calls process.exit(Code). SSH, UI and bundle code load only when needed. */
async function main(typed: string[]): Promise<number> {
  const argv = normalizeJsonFlag(typed); // `--json disk`: disk is the command, not the report's file
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    const { OWN_ROOT } = await import('../project/own-entries.js');
    const pkg = JSON.parse(readFileSync(join(OWN_ROOT, 'package.json'), 'utf8')) as { version: string };
    process.stdout.write(`ferry ${pkg.version}\n`);
    return 0;
  }
  let exit = 0;
  const setExit = (code: number) => {
    exit = code;
  };
  const projectDir = projectDirFromArgv(argv);
  const word = commandWord(argv);
  let tasks: LoadedTask[] = [];
  let taskError: unknown;
  // a built-in command needs no task file: don't load (transpile) them for `run`, `deploy`, …
  if (word === undefined || !NO_TASKS.has(word) || argv.includes('--list')) {
    try {
      tasks = await loadTasks(projectDir);
    } catch (err) {
      taskError = err;
    }
  }
  if (argv.includes('--list') && !argv.includes('--help')) {
    if (taskError) throw taskError;
    process.stdout.write(formatTaskList(tasks));
    return 0;
  }
  const { buildProgram } = await import('./program.js');
  if (taskError && word && word !== 'help' && !BUILTIN_COMMANDS.includes(word)) throw taskError;
  if (taskError) process.stderr.write(`ferry: warning: ${(taskError as Error).message} (task commands unavailable)\n`);
  const program = await buildProgram(argv, tasks, setExit);
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
