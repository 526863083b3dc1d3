import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repo's own bundles/ folder (the examples under test). */
export const BUNDLES = fileURLToPath(new URL('../../../bundles/', import.meta.url));

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'ferry test',
  GIT_AUTHOR_EMAIL: 'test@ferry.invalid',
  GIT_COMMITTER_NAME: 'ferry test',
  GIT_COMMITTER_EMAIL: 'test@ferry.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
  HOME: tmpdir(),
};

export async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(
    'git',
    ['-c', 'init.defaultBranch=main', '-c', 'tag.gpgSign=false', '-c', 'commit.gpgSign=false', ...args],
    { cwd, env: GIT_ENV },
  );
  return stdout.trim();
}

async function bumpVersion(dir: string, version: string): Promise<void> {
  for (const file of ['package.json', 'pyproject.toml']) {
    const path = `${dir}/${file}`;
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    await writeFile(
      path,
      text.replace(/("version": "|version = ")1\.0\.0"/, (_m, head: string) => `${head}${version}"`),
    );
  }
  const lock = `${dir}/package-lock.json`;
  const text = await readFile(lock, 'utf8').catch(() => undefined);
  if (text !== undefined) {
    const j = JSON.parse(text) as { version: string; packages: Record<string, { version?: string }> };
    j.version = version;
    const root = j.packages[''];
    if (root) root.version = version;
    await writeFile(lock, `${JSON.stringify(j, null, 2)}\n`);
  }
}

/**
 * A throwaway project + git repo holding copies of the given example bundles, committed and
 * tagged v1.0.0, then with the app version bumped to 1.1.0 and tagged v1.1.0.
 */
export async function demoProject(names: readonly string[], parent?: string): Promise<string> {
  const dir = await mkdtemp(`${parent ?? tmpdir()}/ferry-bundle-proj-`);
  await mkdir(`${dir}/bundles`);
  for (const n of names) {
    await cp(`${BUNDLES}${n}`, `${dir}/bundles/${n}`, {
      recursive: true,
      filter: (src) => !/\/(node_modules|__pycache__|\.ferry)(\/|$)/.test(src),
    });
  }
  await writeFile(`${dir}/.gitignore`, '.ferry/\nnode_modules/\n');
  await git(dir, 'init', '-q');
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-q', '-m', 'demo 1.0.0');
  await git(dir, 'tag', '-a', 'v1.0.0', '-m', 'v1.0.0');
  for (const n of names) await bumpVersion(`${dir}/bundles/${n}`, '1.1.0');
  await git(dir, 'commit', '-q', '-am', 'demo 1.1.0');
  await git(dir, 'tag', 'v1.1.0');
  return dir;
}

/** A clone of a project repo at another path (tags included). */
export async function cloneProject(dir: string, parent?: string): Promise<string> {
  const into = await mkdtemp(`${parent ?? tmpdir()}/ferry-bundle-clone-`);
  await git(into, 'clone', '-q', dir, `${into}/elsewhere`);
  return `${into}/elsewhere`;
}
