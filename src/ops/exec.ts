import { sh, type Command } from '../shell/command.js';
import { quote } from '../shell/quote.js';

export interface ReleaseExec {
  /** the live release: `<deploy path>/current` */
  readonly current: string;
  /** the bundle's env kind: which folder of the release holds its executables */
  readonly env: 'node' | 'python' | 'none';
  /** a KEY=VALUE file on the host, loaded (exported) before the command */
  readonly envFile?: string | undefined;
  /** what the user typed, run by the remote shell as `ferry run` runs it */
  readonly script: string;
}

/** The release's own executables: a python venv's env/bin, a node app's node_modules/.bin. */
export function releaseBinDirs(current: string, env: ReleaseExec['env']): string[] {
  if (env === 'python') return [`${current}/env/bin`];
  if (env === 'node') return [`${current}/app/node_modules/.bin`];
  return [];
}

/**
 * A command run in the live release, as its program would see it: cwd `current`, the release's
 * executables first on PATH (VIRTUAL_ENV set for a venv), the env file's variables exported.
 * Each step is `&&`-chained, so the command never runs in the wrong folder or without its env;
 * the user's script sits in braces on lines of its own (a trailing `# comment` or `&` stays its own).
 */
export function releaseExecCommand(o: ReleaseExec): Command {
  const steps = [`cd -- ${quote(o.current)}`];
  const bins = releaseBinDirs(o.current, o.env);
  if (bins.length > 0) steps.push(`PATH=${bins.map(quote).join(':')}:"$PATH" && export PATH`);
  if (o.env === 'python') steps.push(`VIRTUAL_ENV=${quote(`${o.current}/env`)} && export VIRTUAL_ENV`);
  if (o.envFile !== undefined) steps.push(`set -a && . ${quote(o.envFile)} && set +a`);
  return sh(`${steps.join(' && ')} && {\n${o.script}\n}`);
}
