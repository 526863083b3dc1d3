import { existsSync } from 'node:fs';
import { FailedError, ProjectError } from '../errors/index.js';
import { NODE_RUNTIME_ARGV, parseNodeRuntime } from '../facts/runtime.js';
import { cleanEnv } from './clean-env.js';
import { runLocal } from '../runner/run-local.js';
import type { EnvInfo } from './manifest.js';

const npmEnv = () =>
  cleanEnv({ npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' });
const QUIET = ['--no-audit', '--no-fund', '--loglevel=error'];

/**
 * `npm ci` from the lockfile into `appDir/node_modules`, devDependencies included: the build
 * steps that follow may need them (a TypeScript app needs `tsc`). `pruneNodeEnv` then drops them.
 */
export async function installNodeEnv(appDir: string, display: string, scripts: boolean): Promise<void> {
  if (!existsSync(`${appDir}/package.json`))
    throw new ProjectError({ file: `${display}/package.json` }, 'missing: a node bundle needs package.json');
  if (!existsSync(`${appDir}/package-lock.json`) && !existsSync(`${appDir}/npm-shrinkwrap.json`)) {
    throw new ProjectError(
      { file: `${display}/package-lock.json` },
      'missing at this tag: `npm ci` installs from the lockfile (run `npm install --package-lock-only` and commit it)',
    );
  }
  const argv = ['npm', 'ci', '--include=dev', ...QUIET, ...(scripts ? [] : ['--ignore-scripts'])];
  await runLocal('node env (npm ci)', argv, { cwd: appDir, env: npmEnv() });
}

/**
 * After the build steps: `npm prune --omit=dev` leaves production dependencies only. Records the
 * node version, platform and arch that built it: native modules are only good for those, so
 * staging on a host whose node major or arch differs is refused.
 */
export async function pruneNodeEnv(appDir: string): Promise<EnvInfo> {
  const env = npmEnv();
  await runLocal('node env (npm prune)', ['npm', 'prune', '--omit=dev', '--ignore-scripts', ...QUIET], {
    cwd: appDir,
    env,
  });
  const { stdout } = await runLocal('node env (node version)', NODE_RUNTIME_ARGV, { cwd: appDir, env });
  const node = parseNodeRuntime(stdout);
  if (!node) throw new FailedError(`node env: \`node\` printed no version (${JSON.stringify(stdout)})`);
  return { kind: 'node', node };
}
