import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { releasePaths } from '../../../src/ops/release/paths.js';
import { releaseProbe, type ProbeInput } from '../../../src/ops/release/probe.js';
import { uploadCommand } from '../../../src/ops/release/upload.js';
import { render, usesSudo } from '../../../src/shell/command.js';
import { localSh } from '../../helpers/local-sh.js';
import { alice, fresh, withReleases } from './fixtures.js';

/** Run the probe fact with a local sh: its raw output and what the fact's parser makes of it. */
async function probe(i: ProbeInput) {
  const fact = releaseProbe(i);
  const { stdout } = await localSh(fact.command);
  return { stdout, result: fact.parse(stdout) };
}

describe('release probe', () => {
  it('takes the lock once: a second probe reports it held with the owner', async () => {
    const p = releasePaths(fresh());
    const first = (await probe({ paths: p, id: 'app-v1', sha256: 'a'.repeat(64), lockAs: alice })).result;
    expect(first).toMatchObject({ lock: 'acquired', releasePresent: false, cachedSha256: undefined, releases: [] });
    const second = (await probe({ paths: p, id: 'app-v1', sha256: 'a'.repeat(64), lockAs: alice })).result;
    expect(second.lock).toBe('held');
    expect(second.owner).toEqual(alice);
    const ro = (await probe({ paths: p, id: 'app-v1' })).result;
    expect(ro).toMatchObject({ lock: 'held', owner: alice });
  });

  it('read-only, it reports a free lock and takes none', async () => {
    const root = fresh();
    withReleases(root, ['app-v1', 'app-v2']);
    mkdirSync(join(root, 'releases', 'app-v3.partial'));
    symlinkSync('releases/app-v2', join(root, 'current'));
    symlinkSync('releases/app-v1', join(root, 'previous'));
    const p = releasePaths(root);
    const { result } = await probe({ paths: p, id: 'app-v2' });
    expect(result).toMatchObject({ lock: 'free', current: 'app-v2', previous: 'app-v1', releasePresent: true });
    expect(result.releases).toEqual(['app-v1', 'app-v2']);
    expect(existsSync(p.lock)).toBe(false);
  });

  it('a host already on the release with the same configs records "unchanged" and takes no lock', async () => {
    const root = fresh();
    withReleases(root, ['app-v1']);
    mkdirSync(join(root, 'releases/app-v1/configs/0123456789abcdef'), { recursive: true });
    rmSync(join(root, 'releases/app-v1/config'), { recursive: true });
    symlinkSync('configs/0123456789abcdef', join(root, 'releases/app-v1/config'));
    symlinkSync('releases/app-v1', join(root, 'current'));
    const p = releasePaths(root);
    const input = (configHash: string): ProbeInput => ({
      paths: p,
      id: 'app-v1',
      sha256: 'a'.repeat(64),
      configHash,
      lockAs: alice,
      unchangedHistory: '{"result":"unchanged"}',
    });
    // the no-op answers at once: no other probing (each would be a process on the host)
    expect((await probe(input('0123456789abcdef'))).stdout).toBe('lock=unchanged\n');
    expect(existsSync(p.lock)).toBe(false);
    expect(readFileSync(p.history, 'utf8')).toBe('{"result":"unchanged"}\n');
    // other configs (the inventory changed): a real deploy, with the lock
    const changed = (await probe(input('fedcba9876543210'))).result;
    expect(changed).toMatchObject({ lock: 'acquired', releasePresent: true, configsPresent: false });
    expect(changed.configLink).toBe('configs/0123456789abcdef');
    expect(existsSync(p.lock)).toBe(true);
  });

  it('reports the runtime only when the release still has to be staged', async () => {
    const root = fresh();
    const p = releasePaths(root);
    const python = join(root, 'no-python');
    const absent = (await probe({ paths: p, id: 'app-v1', sha256: 'a'.repeat(64), python })).result;
    expect(absent.node).toEqual({ version: process.version, platform: process.platform, arch: process.arch });
    expect(absent.python).toBeNull();
    withReleases(root, ['app-v1']);
    const present = (await probe({ paths: p, id: 'app-v1', sha256: 'a'.repeat(64) })).result;
    expect(present.node).toBeNull();
    expect(present.python).toBeUndefined();
  });

  it("reports the cached artifact's real sha256, so a corrupt cache is seen", async () => {
    const p = releasePaths(fresh());
    const content = 'artifact bytes';
    const sha = execFileSync('sha256sum', { input: content, encoding: 'utf8' }).split(' ')[0]!;
    const up = await localSh(uploadCommand(p, sha, 'run-1'), content);
    expect(up.code, up.stderr).toBe(0);
    expect((await probe({ paths: p, id: 'x1', sha256: sha })).result.cachedSha256).toBe(sha);
    writeFileSync(p.cacheFile(sha), 'corrupted');
    const seen = (await probe({ paths: p, id: 'x1', sha256: sha })).result.cachedSha256;
    expect(seen).toMatch(/^[0-9a-f]{64}$/);
    expect(seen).not.toBe(sha);
  });

  it('a user who may not write the deploy path gets "denied" naming the path and the user, not a held lock', async () => {
    if (process.getuid?.() !== 0) return; // needs to run the probe as another user
    const root = fresh();
    chmodSync(root, 0o755);
    const p = releasePaths(root);
    const asNobody = async (i: ProbeInput) => {
      const fact = releaseProbe(i);
      const text = render(fact.command, { masked: false });
      const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'sh', '-c', text], {
        encoding: 'utf8',
        cwd: '/',
      });
      return fact.parse(r.stdout);
    };
    const fresh1 = await asNobody({ paths: p, id: 'app-v1', lockAs: alice });
    expect(fresh1.lock).toBe('denied');
    expect(fresh1.user).toBe(execFileSync('id', ['-un', '65534'], { encoding: 'utf8' }).trim());
    expect(fresh1.denied).toMatch(new RegExp(`${root}/(releases|shared|\\.ferry).*Permission denied`));
    // the store exists (root deployed before) but .ferry is not the user's: the lock itself is denied
    mkdirSync(p.cacheDir, { recursive: true });
    mkdirSync(p.releases);
    mkdirSync(p.shared);
    const lock = await asNobody({ paths: p, id: 'app-v1', lockAs: alice });
    expect(lock).toMatchObject({ lock: 'denied' });
    expect(lock.denied).toMatch(new RegExp(`${p.lock}\\.r1.*Permission denied`));
    expect(existsSync(p.lock)).toBe(false);
  });

  it('with rootCheck, checks that steps can run as root before taking the lock', async () => {
    if (process.getuid?.() !== 0) return;
    const p = releasePaths(fresh());
    const fact = releaseProbe({ paths: p, id: 'app-v1', lockAs: alice, rootCheck: true });
    expect(usesSudo(fact.command)).toBe(true);
    // as root: no sudo, the check passes
    const { result } = await probe({ paths: p, id: 'app-v1', lockAs: alice, rootCheck: true });
    expect(result.lock).toBe('acquired');
    // a user sudo refuses (a stand-in sudo that says so): no lock, no temp dir, and who it was
    const root = fresh();
    const bin = join(root, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'sudo'), '#!/bin/sh\necho "nobody is not in the sudoers file." >&2\nexit 1\n', {
      mode: 0o755,
    });
    const store = join(root, 'srv');
    mkdirSync(store);
    chmodSync(root, 0o755);
    execFileSync('chown', ['65534:65534', store]);
    const q = releasePaths(store);
    const f = releaseProbe({ paths: q, id: 'app-v1', lockAs: alice, rootCheck: true });
    const r = spawnSync(
      'setpriv',
      ['--reuid=65534', '--regid=65534', '--clear-groups', 'env', `PATH=${bin}:/usr/bin:/bin`, 'sh', '-c'].concat(
        render(f.command, { masked: false }),
      ),
      { encoding: 'utf8', cwd: '/' },
    );
    expect(f.parse(r.stdout)).toMatchObject({ lock: 'no-root', user: expect.any(String) });
    expect(r.stderr).toContain('not in the sudoers file');
    expect(readdirSync(q.state)).toEqual(['bundles']);
  });
});
