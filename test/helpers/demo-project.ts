import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from './ferry-cli.js';

export interface DemoProject {
  readonly dir: string;
  /** commit the working tree and tag it */
  tag(tag: string): void;
  /** set the demo app's version (what `/` answers) */
  setVersion(version: string): Promise<void>;
  git(...args: string[]): string;
}

/**
 * A throwaway ferry project that is a git repo: bundles/demo copied from this checkout, plus the
 * given inventory. Tags are made by the test (v1.0.0, v1.1.0, …).
 */
export async function makeDemoProject(
  inventoryText: string,
  bundles: readonly string[] = ['demo'],
): Promise<DemoProject> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-proj-'));
  for (const b of bundles) {
    await cp(join(REPO, 'bundles', b), join(dir, 'bundles', b), {
      recursive: true,
      filter: (src) => !src.includes('node_modules'),
    });
  }
  await writeFile(join(dir, 'inventory.yaml'), inventoryText);
  // the demo's env file needs DEMO_SECRET: from the project's secrets file (kept out of git)
  await writeFile(join(dir, 'secrets.yaml'), `DEMO_SECRET: '${DEMO_SECRET}'\n`, { mode: 0o600 });
  await writeFile(join(dir, '.gitignore'), '.ferry/\nnode_modules/\nsecrets*.yaml\n');
  const git = projectGit(dir);
  git('init', '-q', '-b', 'main');
  const project: DemoProject = {
    dir,
    git,
    tag(tag) {
      git('add', '-A');
      git('commit', '-q', '--allow-empty', '-m', `release ${tag}`);
      git('tag', tag);
    },
    async setVersion(version) {
      const file = join(dir, 'bundles', 'demo', 'package.json');
      const pkg = JSON.parse(await readFile(file, 'utf8')) as { version: string };
      pkg.version = version;
      await writeFile(file, `${JSON.stringify(pkg, null, 2)}\n`);
    },
  };
  return project;
}

/** git in a test project, as a fixed test identity that never signs: returns its stdout. */
export function projectGit(dir: string): (...args: string[]) => string {
  return (...args) =>
    execFileSync(
      'git',
      ['-c', 'user.email=t@ferry.test', '-c', 'user.name=ferry test', '-c', 'commit.gpgsign=false', ...args],
      { cwd: dir, encoding: 'utf8' },
    );
}

/** The secret makeDemoProject's secrets.yaml gives the demo's env file. */
export const DEMO_SECRET = 'demo-secret-4b1d';

/** The attrs the demo bundle's templates need, for a fleet's inventory defaults. */
export const DEMO_ATTRS = { app_port: 8000, http_port: 8080, lb_port: 8081 };
