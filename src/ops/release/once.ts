import { quote } from '../../shell/quote.js';
import { sh, type Command } from '../../shell/command.js';
import type { ReleasePaths } from './paths.js';

export interface OnceCommandInput {
  readonly paths: ReleasePaths;
  /** the release being deployed: the step runs in its app dir releases/<id>/app, never in `current` */
  readonly id: string;
  readonly run: readonly string[];
  /** the bundle's env kind: whose tools come first on PATH */
  readonly env: 'node' | 'python' | 'none';
  /** inventory name of the host, for the step's FERRY_HOST */
  readonly host: string;
  /** what `current` pointed to when the deploy took this host's lock */
  readonly from?: string | undefined;
  /**
   * The env file to export into the step (absolute: the staged config set's, see stagedEnvFile()).
   * It is written at staging, so it exists before any once-step runs (kamal#1652, #1700).
   */
  readonly envFile?: string | undefined;
}

/**
 * A run-once step (a migration) on its host: `cd releases/<id>/app` (where the program runs, in the
 * new release), the release's own tools first on PATH (env/bin for python, app/node_modules/.bin
 * for node), FERRY_* naming the release, the env file exported when the bundle has one, then the
 * argv (each word quoted) exec'd.
 */
export function onceCommand(i: OnceCommandInput): Command {
  const dir = i.paths.release(i.id);
  const bins =
    i.env === 'python' ? [`${dir}/env/bin`] : i.env === 'node' ? [`${dir}/app/node_modules/.bin`] : ([] as string[]);
  const vars: Record<string, string> = {
    FERRY_RELEASE: i.id,
    FERRY_RELEASE_DIR: dir,
    FERRY_DEPLOY_PATH: i.paths.root,
    FERRY_SHARED: i.paths.shared,
    FERRY_HOST: i.host,
    FERRY_PREVIOUS: i.from ?? '',
  };
  const steps = [`cd ${quote(`${dir}/app`)}`];
  if (bins.length) steps.push(`PATH=${quote(bins.join(':'))}:"$PATH"`);
  steps.push(
    `export PATH ${Object.entries(vars)
      .map(([k, v]) => `${k}=${quote(v)}`)
      .join(' ')}`,
  );
  if (i.envFile !== undefined) steps.push('set -a', `. ${quote(i.envFile)}`, 'set +a');
  steps.push(`exec ${i.run.map(quote).join(' ')}`);
  return sh(steps.join(' && '));
}
