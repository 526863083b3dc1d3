import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readlinkSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configsTar } from '../../../src/lifecycle/configs-tar.js';
import { UsageError } from '../../../src/errors/usage-error.js';
import { cmd, type Command } from '../../../src/shell/command.js';
import { releasePaths, type ReleasePaths } from '../../../src/ops/release/paths.js';
import { stageCommand, stageConfigsCommand, type ConfigSet } from '../../../src/ops/release/stage.js';
import { localSh } from '../../helpers/local-sh.js';
import { fresh } from './fixtures.js';

/** A cached artifact (app/main.js) as the upload leaves it: under its real sha256. */
function cached(p: ReleasePaths): string {
  const src = fresh();
  mkdirSync(join(src, 'app'));
  writeFileSync(join(src, 'app/main.js'), 'console.log(1)\n');
  const tgz = join(fresh(), 'a.tar.gz');
  execFileSync('tar', ['-czf', tgz, '-C', src, '.']);
  const sha = execFileSync('sha256sum', [tgz], { encoding: 'utf8' }).split(' ')[0]!;
  mkdirSync(p.cacheDir, { recursive: true });
  execFileSync('cp', [tgz, p.cacheFile(sha)]);
  return sha;
}

/** A validator that passes when the candidate file mentions `word`. */
const mentions =
  (word: string) =>
  (file: string): Command =>
    cmd('grep', '-q', word, file);

const configs = [{ target: 'nginx/site.conf', content: 'server ok;\n' }];
const set = (hash: string, validate = mentions('ok')): ConfigSet => ({
  hash,
  configs: [{ target: 'nginx/site.conf', validate }],
});
const input = (p: ReleasePaths, sha256: string, configSet: ConfigSet, shared: string[] = []) => ({
  paths: p,
  id: 'app-v1',
  sha256,
  shared,
  configSet,
});

describe('stage', () => {
  it("extracts the artifact with this host's configs and shared links, read-only, under its final name", async () => {
    const root = fresh();
    const p = releasePaths(root);
    const sha = cached(p);
    const command = stageCommand(input(p, sha, set('0123456789abcdef'), ['log', 'tmp']));
    const r = await localSh(command, await configsTar(configs));
    expect(r.code, r.stderr).toBe(0);
    const rel = p.release('app-v1');
    expect(readdirSync(p.releases)).toEqual(['app-v1']);
    expect(readFileSync(join(rel, 'app/main.js'), 'utf8')).toBe('console.log(1)\n');
    expect(readlinkSync(join(rel, 'config'))).toBe('configs/0123456789abcdef');
    expect(readFileSync(join(rel, 'config/nginx/site.conf'), 'utf8')).toBe('server ok;\n');
    expect(readlinkSync(join(rel, 'log'))).toBe(`${p.shared}/log`);
    expect(readlinkSync(join(rel, 'tmp'))).toBe(`${p.shared}/tmp`);
    expect(existsSync(join(p.shared, 'tmp'))).toBe(true);
    expect(readFileSync(join(rel, '.ferry-sha256'), 'utf8')).toBe(`${sha}\n`);
    expect(statSync(join(rel, 'app/main.js')).mode & 0o222).toBe(0);
  });

  it('a config its validator rejects leaves only the .partial dir, never the release', async () => {
    const p = releasePaths(fresh());
    const sha = cached(p);
    const command = stageCommand(input(p, sha, set('0123456789abcdef', mentions('nope'))));
    expect((await localSh(command, await configsTar(configs))).code).not.toBe(0);
    expect(readdirSync(p.releases)).toEqual(['app-v1.partial']);
    // the next stage starts over from a clean .partial
    const again = stageCommand(input(p, sha, set('0123456789abcdef')));
    expect((await localSh(again, await configsTar(configs))).code).toBe(0);
    expect(readdirSync(p.releases)).toEqual(['app-v1']);
  });

  it('stages a changed config set beside the old one, validated, without flipping `config`', async () => {
    const p = releasePaths(fresh());
    const sha = cached(p);
    await localSh(stageCommand(input(p, sha, set('0123456789abcdef'))), await configsTar(configs));
    const changed = [{ target: 'nginx/site.conf', content: 'server ok again;\n' }];
    const tar = await configsTar(changed);
    const bad = await localSh(stageConfigsCommand(p, 'app-v1', set('fedcba9876543210', mentions('nope'))), tar);
    expect(bad.code).not.toBe(0);
    expect(readdirSync(join(p.release('app-v1'), 'configs'))).toEqual(['0123456789abcdef', 'fedcba9876543210.partial']);
    const ok = await localSh(stageConfigsCommand(p, 'app-v1', set('fedcba9876543210')), tar);
    expect(ok.code, ok.stderr).toBe(0);
    const rel = p.release('app-v1');
    expect(readdirSync(join(rel, 'configs')).sort()).toEqual(['0123456789abcdef', 'fedcba9876543210']);
    expect(readFileSync(join(rel, 'configs/fedcba9876543210/nginx/site.conf'), 'utf8')).toBe('server ok again;\n');
    expect(readlinkSync(join(rel, 'config'))).toBe('configs/0123456789abcdef');
  });

  it('refuses shared dirs and config targets that leave the release', () => {
    const p = releasePaths('/srv/app');
    const sha = 'a'.repeat(64);
    // a user's mistake (exit 2), not a crash
    for (const bad of ['../etc', '/var/log', 'a//b', 'log/']) {
      const stage = () => stageCommand(input(p, sha, set('0123456789abcdef'), [bad]));
      expect(stage).toThrow(UsageError);
      expect(stage).toThrow(/invalid shared path/);
    }
    const target = { hash: '0123456789abcdef', configs: [{ target: '../../etc/passwd' }] };
    expect(() => stageCommand(input(p, sha, target))).toThrow(UsageError);
    expect(() => stageConfigsCommand(p, 'app-v1', target)).toThrow(/invalid config target path/);
    // the config hash is ferry's own: a bad one is a bug, not a usage error
    expect(() => stageCommand(input(p, sha, set('NOT-HEX')))).toThrow(/invalid config hash/);
    expect(() => stageCommand(input(p, sha, set('NOT-HEX')))).not.toThrow(UsageError);
  });
});
