import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statfsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BUNDLE_TS = `import { defineBundle } from '../../src/bundle/define-bundle.js';

export default defineBundle({ name: 'blob', env: { kind: 'none' }, roles: ['app'], configs: [], keep: 2 });
`;

function git(dir: string, ...args: string[]): void {
  execFileSync(
    'git',
    [
      '-c',
      'user.email=bench@ferry.test',
      '-c',
      'user.name=ferry bench',
      '-c',
      'commit.gpgsign=false',
      '-c',
      'tag.gpgsign=false',
      ...args,
    ],
    {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' },
    },
  );
}

/** Bytes free on the filesystem holding `path`. */
export function freeBytes(path: string): number {
  const s = statfsSync(path);
  return s.bavail * s.bsize;
}

/** `bytes` of random data under the temp dir, generated once and reused across runs. */
export async function cachedRandom(bytes: number): Promise<string> {
  const file = join(tmpdir(), `ferry-bench-random-${bytes}.bin`);
  if (!existsSync(file)) {
    const part = `${file}.part`;
    execFileSync('sh', ['-c', `head -c ${bytes} /dev/urandom > '${part}'`]);
    await rename(part, file);
  }
  return file;
}

/**
 * A throwaway git project with one bundle `blob` (env none, no configs) whose tree holds `data`
 * (incompressible), committed and tagged `v1`, with the fleet's inventory.
 */
export async function makeBlobProject(inventoryText: string, data: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-bench-push-'));
  await mkdir(join(dir, 'bundles/blob/data'), { recursive: true });
  await writeFile(join(dir, 'bundles/blob/bundle.ts'), BUNDLE_TS);
  execFileSync('cp', ['--reflink=auto', data, join(dir, 'bundles/blob/data/random.bin')]);
  await writeFile(join(dir, 'inventory.yaml'), inventoryText);
  await writeFile(join(dir, '.gitignore'), '.ferry/\n');
  git(dir, 'init', '-q', '-b', 'main');
  // a big random blob: store it without trying to compress or delta it
  git(dir, 'config', 'core.compression', '0');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'blob');
  git(dir, 'tag', 'v1');
  return dir;
}

/** The built artifact in the project's bundle cache. */
export function builtArtifact(project: string): string {
  const cache = join(project, '.ferry/cache/bundles');
  const name = readdirSync(cache).find((n) => n.endsWith('.tar.gz'));
  if (!name) throw new Error(`no .tar.gz in ${cache}`);
  return join(cache, name);
}
