import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENV_TARGET } from '../../../src/bundle/env-file.js';
import { configsTar } from '../../../src/lifecycle/configs-tar.js';
import { releasePaths, type ReleasePaths } from '../../../src/ops/release/paths.js';
import { stageCommand, stageConfigsCommand, type SharedFile } from '../../../src/ops/release/stage.js';
import { localSh } from '../../helpers/local-sh.js';
import { fresh } from './fixtures.js';

/** A cached artifact holding app/main.js and a default app/config/local.json. */
function cached(p: ReleasePaths): string {
  const src = fresh();
  mkdirSync(join(src, 'app/config'), { recursive: true });
  writeFileSync(join(src, 'app/main.js'), 'console.log(1)\n');
  writeFileSync(join(src, 'app/config/local.json'), '{"default":true}\n');
  const tgz = join(fresh(), 'a.tar.gz');
  execFileSync('tar', ['-czf', tgz, '-C', src, '.']);
  const sha = execFileSync('sha256sum', [tgz], { encoding: 'utf8' }).split(' ')[0]!;
  mkdirSync(p.cacheDir, { recursive: true });
  execFileSync('cp', [tgz, p.cacheFile(sha)]);
  return sha;
}

const HASH = '0123456789abcdef';
const ENV = "SECRET='a'\\''b\nc'\n";
const files = (env = ENV) => [
  { target: 'nginx/site.conf', content: 'server ok;\n' },
  { target: ENV_TARGET, content: env, mode: 0o600 },
];
const stage = (p: ReleasePaths, sha256: string, sharedFiles: SharedFile[] = [], envPath = 'app/.env') =>
  stageCommand({
    paths: p,
    id: 'app-v1',
    sha256,
    shared: ['log'],
    sharedFiles,
    envPath,
    configSet: { hash: HASH, configs: [{ target: 'nginx/site.conf' }], envFile: {} },
  });

describe('staging an env file', () => {
  it('lands in the config set at 0600, linked from its release path through `config`', async () => {
    const p = releasePaths(fresh());
    const r = await localSh(stage(p, cached(p)), await configsTar(files()));
    expect(r.code, r.stderr).toBe(0);
    const rel = p.release('app-v1');
    expect(readlinkSync(join(rel, 'app/.env'))).toBe('../config/.ferry-env');
    expect(readFileSync(join(rel, 'app/.env'), 'utf8')).toBe(ENV);
    expect(statSync(join(rel, `configs/${HASH}/.ferry-env`)).mode & 0o777).toBe(0o600);
    // the rest of the release stays read-only
    expect(statSync(join(rel, 'app/main.js')).mode & 0o222).toBe(0);
  });

  it('a changed env file (rotated secret) is a new config set; the link follows `config` when it flips', async () => {
    const p = releasePaths(fresh());
    await localSh(stage(p, cached(p)), await configsTar(files()));
    const next = 'fedcba9876543210';
    const set = { hash: next, configs: [{ target: 'nginx/site.conf' }], envFile: {} };
    const r = await localSh(stageConfigsCommand(p, 'app-v1', set), await configsTar(files('SECRET=new\n')));
    expect(r.code, r.stderr).toBe(0);
    const rel = p.release('app-v1');
    expect(statSync(join(rel, `configs/${next}/.ferry-env`)).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(rel, 'app/.env'), 'utf8')).toBe(ENV);
    execFileSync('ln', ['-sfn', `configs/${next}`, join(rel, 'config')]);
    expect(readFileSync(join(rel, 'app/.env'), 'utf8')).toBe('SECRET=new\n');
  });

  it.skipIf(process.getuid?.() !== 0)('an owner gets it (chown, as root), still 0600', async () => {
    for (const owner of ['nobody', 'root']) {
      const p = releasePaths(fresh());
      const command = stageCommand({
        paths: p,
        id: 'app-v1',
        sha256: cached(p),
        shared: [],
        envPath: 'app/.env',
        configSet: { hash: HASH, configs: [{ target: 'nginx/site.conf' }], envFile: { owner } },
      });
      const r = await localSh(command, await configsTar(files()));
      expect(r.code, r.stderr).toBe(0);
      const st = execFileSync('stat', ['-L', '-c', '%U %a', join(p.release('app-v1'), 'app/.env')], {
        encoding: 'utf8',
      });
      expect(st.trim()).toBe(`${owner} 600`);
    }
  });

  it('an env file at the release root links to config/ directly', async () => {
    const p = releasePaths(fresh());
    expect((await localSh(stage(p, cached(p), [], '.env'), await configsTar(files()))).code).toBe(0);
    expect(readlinkSync(join(p.release('app-v1'), '.env'))).toBe('config/.ferry-env');
  });
});

describe('shared files', () => {
  const required = { path: 'app/config/local.json', optional: false };
  const optional = { path: 'app/config/local.json', optional: true };

  it('a missing required file fails staging naming its path; no release appears', async () => {
    const p = releasePaths(fresh());
    const r = await localSh(stage(p, cached(p), [required]), await configsTar(files()));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`required shared file ${p.shared}/app/config/local.json is missing`);
    expect(readdirSync(p.releases)).toEqual(['app-v1.partial']);
  });

  it('a present file is linked (required or optional)', async () => {
    for (const f of [required, optional]) {
      const p = releasePaths(fresh());
      mkdirSync(join(p.shared, 'app/config'), { recursive: true });
      writeFileSync(join(p.shared, 'app/config/local.json'), '{"host":1}\n');
      const r = await localSh(stage(p, cached(p), [f]), await configsTar(files()));
      expect(r.code, r.stderr).toBe(0);
      const at = join(p.release('app-v1'), 'app/config/local.json');
      expect(readlinkSync(at)).toBe(`${p.shared}/app/config/local.json`);
      expect(readFileSync(at, 'utf8')).toBe('{"host":1}\n');
    }
  });

  it('a missing optional file is not linked: the release keeps its own', async () => {
    const p = releasePaths(fresh());
    const r = await localSh(
      stage(p, cached(p), [optional, { path: 'app/other.txt', optional: true }]),
      await configsTar(files()),
    );
    expect(r.code, r.stderr).toBe(0);
    const rel = p.release('app-v1');
    expect(readFileSync(join(rel, 'app/config/local.json'), 'utf8')).toBe('{"default":true}\n');
    expect(existsSync(join(rel, 'app/other.txt'))).toBe(false);
  });
});
