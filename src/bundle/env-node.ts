import { existsSync } from 'node:fs';
import { FailedError, ProjectError } from '../errors/index.js';
import { NODE_RUNTIME_ARGV, parseNodeRuntime } from '../facts/runtime.js';
import { cleanEnv } from './clean-env.js';
import { runLocal } from '../runner/run-local.js';
import type { EnvInfo } from './manifest.js';

/**
 * `npm ci --omit=dev` from the lockfile into `appDir/node_modules` (production dependencies
 * only). Records the node version, platform and arch that built it: native modules are only
 * good for those, so staging on a host whose node major or arch differs is refused.
 */
export async function buildNodeEnv(appDir: string, display: string, scripts: boolean): Promise<EnvInfo> {
  if (!existsSync(`${appDir}/package.json`))
    throw new ProjectError({ file: `${display}/package.json` }, 'missing: a node bundle needs package.json');
  if (!existsSync(`${appDir}/package-lock.json`) && !existsSync(`${appDir}/npm-shrinkwrap.json`)) {
    throw new ProjectError(
      { file: `${display}/package-lock.json` },
      'missing at this tag: `npm ci` installs from the lockfile (run `npm install --package-lock-only` and commit it)',
    );
  }
  const env = cleanEnv({ npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' });
  const argv = [
    'npm',
    'ci',
    '--omit=dev',
    '--no-audit',
    '--no-fund',
    '--loglevel=error',
    ...(scripts ? [] : ['--ignore-scripts']),
  ];
  await runLocal('node env (npm ci)', argv, { cwd: appDir, env });
  const { stdout } = await runLocal('node env (node version)', NODE_RUNTIME_ARGV, { cwd: appDir, env });
  const node = parseNodeRuntime(stdout);
  if (!node) throw new FailedError(`node env: \`node\` printed no version (${JSON.stringify(stdout)})`);
  return { kind: 'node', node };
}
