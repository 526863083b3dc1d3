import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { onceCommand } from '../../../src/ops/release/once.js';
import { releasePaths } from '../../../src/ops/release/paths.js';
import { localSh } from '../../helpers/local-sh.js';
import { fresh } from './fixtures.js';

const ID = 'app-v1-abcdef0-12345678';

/** A release dir with a tool in env/bin and one in app/node_modules/.bin, each printing where it runs. */
function release(root: string): string {
  const dir = join(root, 'releases', ID);
  for (const bin of ['env/bin', 'app/node_modules/.bin']) {
    mkdirSync(join(dir, bin), { recursive: true });
    const tool = join(dir, bin, 'tool');
    writeFileSync(tool, `#!/bin/sh\necho "${bin} $(pwd) $FERRY_RELEASE $FERRY_HOST [$FERRY_PREVIOUS] $*"\n`);
    chmodSync(tool, 0o755);
  }
  return dir;
}

describe('a run-once step runs in the new release with its environment', () => {
  test('python: env/bin first on PATH, cwd releases/<id>, FERRY_* set, argv words literal', async () => {
    const root = fresh();
    const dir = release(root);
    const c = onceCommand({
      paths: releasePaths(root),
      id: ID,
      run: ['tool', "it's", '$HOME'],
      env: 'python',
      host: 'h1',
    });
    const r = await localSh(c);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`env/bin ${dir}/app ${ID} h1 [] it's $HOME`);
  });

  test('node: app/node_modules/.bin first; the previous release is named', async () => {
    const root = fresh();
    const dir = release(root);
    const paths = releasePaths(root);
    const c = onceCommand({ paths, id: ID, run: ['tool'], env: 'node', host: 'h2', from: 'app-v0' });
    const r = await localSh(c);
    expect(r.stdout.trim()).toBe(`app/node_modules/.bin ${dir}/app ${ID} h2 [app-v0]`);
  });

  test("the env file is exported into the step (a staged config set's, by its absolute path)", async () => {
    const root = fresh();
    const dir = release(root);
    writeFileSync(join(dir, '.env'), "DATABASE_URL='sqlite:///x y'\n");
    const run = ['sh', '-c', 'printf "%s" "$DATABASE_URL" > out.txt'];
    const c = onceCommand({
      paths: releasePaths(root),
      id: ID,
      run,
      env: 'none',
      host: 'h1',
      envFile: join(dir, '.env'),
    });
    const r = await localSh(c);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'app/out.txt'), 'utf8')).toBe('sqlite:///x y');
  });

  test("a failing step's exit code is the command's; a missing release fails before the step runs", async () => {
    const root = fresh();
    release(root);
    const paths = releasePaths(root);
    expect(
      (await localSh(onceCommand({ paths, id: ID, run: ['sh', '-c', 'exit 7'], env: 'node', host: 'h' }))).code,
    ).toBe(7);
    const missing = onceCommand({
      paths,
      id: 'app-v2-abcdef0-12345678',
      run: ['touch', 'ran'],
      env: 'node',
      host: 'h',
    });
    expect((await localSh(missing)).code).not.toBe(0);
  });
});
