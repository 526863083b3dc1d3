import { lstat, mkdir, mkdtemp, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { prep } from '../../../src/index.js';
import { editLine } from '../../../src/ops/prep/line.js';
import { applyLocal, ids, planLocal } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-prep-paths-'));
});

describe('prep.directory', () => {
  it('creates nested folders with mode and owner; then plans nothing; fixes only a drifted mode', async () => {
    const path = join(dir, 'srv', 'shop');
    const op = prep.directory({ path, mode: 0o750, owner: 'root', group: 'root' });
    expect(ids(await applyLocal([op]))).toEqual([`directory ${path}: create`]);
    expect((await stat(path)).mode & 0o7777).toBe(0o750);
    expect((await planLocal([op])).steps).toEqual([]);
    await import('node:fs/promises').then((fs) => fs.chmod(path, 0o700));
    expect((await planLocal([op])).steps.map((s) => s.title)).toEqual([`chmod 750 ${path}`]);
  });

  it('refuses a file where the directory should be', async () => {
    const path = join(dir, 'f');
    await writeFile(path, 'data');
    const plan = await planLocal([prep.directory({ path })]);
    expect(plan.refusals[0]?.reason).toBe(`is a regular file, not a directory: directory ${path} will not replace it`);
    expect(await readFile(path, 'utf8')).toBe('data');
  });
});

describe('prep.symlink', () => {
  it('links, repoints, then plans nothing; refuses a real directory', async () => {
    const link = join(dir, 'current');
    await applyLocal([prep.symlink({ path: link, target: 'releases/1' })]);
    expect(await readlink(link)).toBe('releases/1');
    await mkdir(join(dir, 'releases', '2'), { recursive: true });
    const re = await applyLocal([prep.symlink({ path: link, target: join(dir, 'releases', '2') })]);
    expect(re.steps[0]?.title).toBe(`repoint ${link} → ${join(dir, 'releases', '2')} (was → releases/1)`);
    expect(await readlink(link)).toBe(join(dir, 'releases', '2'));
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect((await planLocal([prep.symlink({ path: link, target: join(dir, 'releases', '2') })])).steps).toEqual([]);
    const real = join(dir, 'releases');
    const plan = await planLocal([prep.symlink({ path: real, target: '/x' })]);
    expect(plan.refusals[0]?.reason).toMatch(/is a directory, not a symlink/);
  });

  it('repointing a link to a directory replaces the link, not a link inside it', async () => {
    await mkdir(join(dir, 'a'));
    await mkdir(join(dir, 'b'));
    await symlink(join(dir, 'a'), join(dir, 'cur'));
    await applyLocal([prep.symlink({ path: join(dir, 'cur'), target: join(dir, 'b') })]);
    expect(await readlink(join(dir, 'cur'))).toBe(join(dir, 'b'));
  });
});

describe('prep.line (the fstab lesson)', () => {
  const m = (l: string) => l.startsWith('vm.swappiness');
  it('replaces the managed line in place, drops duplicates, appends only when absent', () => {
    expect(editLine('a\nvm.swappiness=60\nb\n', 'vm.swappiness = 10', m)).toBe('a\nvm.swappiness = 10\nb\n');
    expect(editLine('vm.swappiness=1\nx\nvm.swappiness=2\n', 'vm.swappiness = 10', m)).toBe('vm.swappiness = 10\nx\n');
    expect(editLine('a\nb', 'vm.swappiness = 10', m)).toBe('a\nb\nvm.swappiness = 10\n');
    expect(editLine('a\nvm.swappiness = 10\n', 'vm.swappiness = 10', m)).toBeUndefined();
    expect(editLine('', 'x', m)).toBe('x\n');
  });

  it('edits a real file keeping its mode; second run plans nothing; a missing file is refused', async () => {
    const path = join(dir, 'fstab');
    await writeFile(path, '# fstab\nUUID=1 / ext4 defaults 0 1\n/swapfile none swap sw 0 0\n', { mode: 0o600 });
    const op = prep.line({ path, line: '/swapfile none swap sw,pri=5 0 0', match: /^\/swapfile\s/ });
    const first = await applyLocal([op]);
    expect(first.diffs[0]).toContain('-/swapfile none swap sw 0 0\n+/swapfile none swap sw,pri=5 0 0\n');
    expect(await readFile(path, 'utf8')).toBe(
      '# fstab\nUUID=1 / ext4 defaults 0 1\n/swapfile none swap sw,pri=5 0 0\n',
    );
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await planLocal([op])).steps).toEqual([]);
    const missing = await planLocal([prep.line({ path: join(dir, 'nope'), line: 'x' })]);
    expect(missing.refusals[0]?.reason).toMatch(/does not exist .*pass create: true/);
    await applyLocal([prep.line({ path: join(dir, 'nope'), line: 'x', create: true })]);
    expect(await readFile(join(dir, 'nope'), 'utf8')).toBe('x\n');
  });

  it('bad input: a multi-line line, an empty match', () => {
    expect(() => prep.line({ path: '/x', line: 'a\nb' })).toThrow(/prep\.line: \/x: line must be one line/);
    expect(() => prep.line({ path: '/x', line: 'a', match: '' })).toThrow(/empty match/);
  });
});
