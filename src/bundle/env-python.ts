import { existsSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { ProjectError } from '../errors/index.js';
import { cleanEnv } from './clean-env.js';
import { runLocal } from '../runner/run-local.js';
import { PYTHON_VERSION_ARGS } from '../facts/runtime.js';
import { relocateVenv } from './relocate-venv.js';
import type { EnvInfo } from './manifest.js';

export interface PythonEnvOptions {
  /** the app tree at the tag */
  readonly appDir: string;
  /** where the venv goes (the artifact's env/) */
  readonly envDir: string;
  /** bundle dir as shown in errors, e.g. bundles/demo-py */
  readonly display: string;
  readonly package: string;
  readonly python: string;
  readonly offline: boolean;
  /** SOURCE_DATE_EPOCH for build backends */
  readonly epoch: number;
}

/**
 * A virtualenv (`python -m venv`) with the app pip-installed into it from the tree, made
 * relocatable (see relocateVenv). Offline by default: no index, no build isolation, so a
 * stdlib-only app needs no network. The package is built from a copy, so build backends
 * cannot leave build/ or *.egg-info in the artifact's app/.
 */
export async function buildPythonEnv(o: PythonEnvOptions): Promise<EnvInfo> {
  if (!existsSync(o.python)) {
    const why =
      `env.python: interpreter ${o.python} not found on the control machine ` +
      '(it must exist at the same path on the hosts)';
    throw new ProjectError({ file: o.display }, why);
  }
  const pkg = o.package === '.' ? o.appDir : `${o.appDir}/${o.package}`;
  if (!existsSync(`${pkg}/pyproject.toml`) && !existsSync(`${pkg}/setup.py`)) {
    throw new ProjectError(
      { file: `${o.display}/${o.package === '.' ? '' : `${o.package}/`}pyproject.toml` },
      'missing at this tag: env.package must be a pip-installable project',
    );
  }
  const env = cleanEnv({
    PIP_CONFIG_FILE: '/dev/null',
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
    PYTHONDONTWRITEBYTECODE: '1',
    SOURCE_DATE_EPOCH: String(o.epoch),
  });
  await runLocal('python env (venv)', [o.python, '-m', 'venv', o.envDir], { env });
  const work = await mkdtemp(`${tmpdir()}/ferry-pybuild-`);
  try {
    await cp(pkg, `${work}/src`, { recursive: true, verbatimSymlinks: true });
    const flags = [
      '--no-compile',
      '--no-warn-script-location',
      ...(o.offline ? ['--no-index', '--no-build-isolation'] : []),
    ];
    await runLocal(
      'python env (pip install)',
      [`${o.envDir}/bin/python`, '-m', 'pip', 'install', ...flags, `${work}/src`],
      { env, cwd: work },
    );
    await relocateVenv(o.envDir, [work]);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const { stdout } = await runLocal('python env (version)', [`${o.envDir}/bin/python`, ...PYTHON_VERSION_ARGS], {
    env,
  });
  return { kind: 'python', python: { version: stdout.trim(), interpreter: o.python } };
}
