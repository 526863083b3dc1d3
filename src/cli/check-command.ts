import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command as Program } from 'commander';
import { loadTasks } from '../project/load-tasks.js';
import { runLocal } from '../runner/run-local.js';
import { UsageError } from '../errors/usage-error.js';
import { ProjectError } from '../errors/project-error.js';
import type { GlobalOptions } from './global-options.js';
import { makeRunEnv } from './run-env.js';

/** node_modules/typescript/bin/tsc of the project, else of ferry's own install. */
function tscPath(projectDir: string): string | undefined {
  const starts = [projectDir, dirname(fileURLToPath(import.meta.url))];
  for (let dir of starts) {
    for (;;) {
      const tsc = join(dir, 'node_modules', 'typescript', 'bin', 'tsc');
      if (existsSync(tsc)) return tsc;
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  return undefined;
}

/** Load and validate every bundles/<name>/bundle.ts (or .yaml): the same checks a build makes. */
async function loadBundles(projectDir: string): Promise<number> {
  const { definitionFile, loadDefinition } = await import('../bundle/load-definition.js');
  let names: string[];
  try {
    names = readdirSync(join(projectDir, 'bundles')).sort();
  } catch {
    return 0;
  }
  let n = 0;
  for (const name of names) {
    const file = definitionFile(join(projectDir, 'bundles', name));
    if (!file) continue;
    await loadDefinition(file, `bundles/${name}/${file.slice(file.lastIndexOf('/') + 1)}`, name);
    n++;
  }
  return n;
}

/** `ferry check`: load every task file and bundle definition, then type-check the project (tsc --noEmit). */
export function checkCommand(setExit: (code: number) => void): Program {
  return new Program('check')
    .description('load every task and bundle, then type-check the project with tsc --noEmit (errors name file:line)')
    .action(async (_o: unknown, self: Program) => {
      const env = makeRunEnv(self.optsWithGlobals<GlobalOptions>());
      const tasks = await loadTasks(env.projectDir);
      const bundles = await loadBundles(env.projectDir);
      const tsc = tscPath(env.projectDir);
      if (!tsc) throw new UsageError('ferry check needs the typescript package (npm i -D typescript)');
      const config = join(env.projectDir, 'tsconfig.json');
      if (!existsSync(config)) throw new UsageError(`ferry check needs ${config}`);
      const argv = [process.execPath, tsc, '--noEmit', '--pretty', 'false', '-p', config];
      const res = await runLocal('type check', argv, { cwd: env.projectDir, allowFailure: true });
      if (res.code !== 0) {
        const first = /^(.+?)\((\d+),(\d+)\): (.*)$/m.exec(res.stdout);
        process.stdout.write(res.stdout);
        if (first?.[1])
          throw new ProjectError(
            { file: first[1], line: Number(first[2]), column: Number(first[3]) },
            first[4] ?? 'type error',
          );
        throw new ProjectError({ file: config }, 'type check failed');
      }
      process.stdout.write(`${tasks.length} task(s) and ${bundles} bundle(s) load and the project type-checks\n`);
      setExit(0);
    });
}
