import { chmod, mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { releaseExecCommand } from '../../../src/ops/exec.js';
import { localSh } from '../../helpers/local-sh.js';

/** A deploy path with a live python-style release: current -> releases/r1, env/bin/hello, an env file. */
async function deployPath(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'ferry-exec-'));
  const rel = join(root, 'releases', 'r1');
  await mkdir(join(rel, 'env', 'bin'), { recursive: true });
  await mkdir(join(rel, 'app', 'node_modules', '.bin'), { recursive: true });
  await writeFile(join(rel, 'env', 'bin', 'hello'), '#!/bin/sh\necho "venv hello from $(pwd -P)"\n');
  await chmod(join(rel, 'env', 'bin', 'hello'), 0o755);
  await writeFile(join(rel, 'app', 'node_modules', '.bin', 'hello'), '#!/bin/sh\necho node hello\n');
  await chmod(join(rel, 'app', 'node_modules', '.bin', 'hello'), 0o755);
  await symlink('releases/r1', join(root, 'current'));
  await writeFile(join(root, 'app.env'), "SHOP_MODE=live\nSHOP_NAME='the shop'\n");
  return root;
}

describe('releaseExecCommand', () => {
  it('runs in current with the venv first on PATH and the env file exported', async () => {
    const root = await deployPath();
    const current = join(root, 'current');
    const script =
      'hello && printf "%s|%s|%s\\n" "$SHOP_MODE" "$SHOP_NAME" "$VIRTUAL_ENV" && sh -c \'echo "child sees $SHOP_MODE"\'';
    const r = await localSh(releaseExecCommand({ current, env: 'python', envFile: join(root, 'app.env'), script }));
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      `venv hello from ${join(root, 'releases', 'r1')}\nlive|the shop|${current}/env\nchild sees live\n`,
    );
  });

  it("a node release has its app's node_modules/.bin; none adds nothing", async () => {
    const current = join(await deployPath(), 'current');
    expect((await localSh(releaseExecCommand({ current, env: 'node', script: 'hello' }))).stdout).toBe('node hello\n');
    const none = await localSh(releaseExecCommand({ current, env: 'none', script: 'command -v hello || echo none' }));
    expect(none.stdout).toBe('none\n');
  });

  it("no live release: the command does not run elsewhere; a trailing comment stays the script's", async () => {
    const root = await mkdtemp(join(tmpdir(), 'ferry-exec-none-'));
    const r = await localSh(
      releaseExecCommand({ current: join(root, 'current'), env: 'none', script: 'echo ran; echo again' }),
    );
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    const current = join(await deployPath(), 'current');
    const c = await localSh(releaseExecCommand({ current, env: 'none', script: 'echo one # a comment' }));
    expect(c).toMatchObject({ code: 0, stdout: 'one\n' });
    // its exit code is the command's
    expect((await localSh(releaseExecCommand({ current, env: 'none', script: 'exit 7' }))).code).toBe(7);
  });
});
