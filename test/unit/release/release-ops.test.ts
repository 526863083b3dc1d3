import { execFileSync } from 'node:child_process';
import { rmSync, mkdtempSync, mkdirSync, readlinkSync, readdirSync, writeFileSync, existsSync, readFileSync, utimesSync, symlinkSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { render, sh as script } from '../../../src/shell/command.js';
import { localSh } from '../../helpers/local-sh.js';
import { releasePaths } from '../../../src/ops/release/paths.js';
import { switchCommand } from '../../../src/ops/release/switch.js';
import { finishCommand } from '../../../src/ops/release/finish.js';
import { probeCommand } from '../../../src/ops/release/probe.js';
import { uploadCommand } from '../../../src/ops/release/upload.js';
import { linkConfigScript } from '../../../src/ops/release/config-link.js';
import { parseProbe } from '../../../src/facts/release/probe.js';
import { parseReleases } from '../../../src/facts/release/releases.js';
import { listReleasesCommand } from '../../../src/ops/release/list.js';

// The builders are pure; their scripts are also run here by a local sh against a temp folder.
const fresh = () => mkdtempSync(join(tmpdir(), 'ferry-rel-'));

function withReleases(root: string, ids: string[]): void {
  ids.forEach((id, i) => {
    const d = join(root, 'releases', id);
    mkdirSync(join(d, 'config'), { recursive: true });
    writeFileSync(join(d, '.ferry-sha256'), `${String(i).repeat(64).slice(0, 64)}\n`);
    const t = new Date(Date.UTC(2026, 0, 1 + i));
    utimesSync(d, t, t);
  });
}

describe('release paths', () => {
  it('refuses relative roots, unsafe ids and bad sha256s', () => {
    expect(() => releasePaths('srv/app')).toThrow(/absolute/);
    const p = releasePaths('/srv/app/');
    expect(p.current).toBe('/srv/app/current');
    expect(() => p.release('../etc')).toThrow(/invalid release id/);
    expect(() => p.release('a b')).toThrow(/invalid release id/);
    expect(() => p.cacheFile('abc')).toThrow(/sha256/);
  });
});

describe('switch', () => {
  it('moves current by rename and remembers previous', async () => {
    const root = fresh();
    withReleases(root, ['app-v1', 'app-v2']);
    const p = releasePaths(root);
    expect((await localSh(switchCommand({ paths: p, id: 'app-v1', links: [], after: [] }))).code).toBe(0);
    expect(readlinkSync(join(root, 'current'))).toBe('releases/app-v1');
    expect(existsSync(join(root, 'previous'))).toBe(false);
    const r = await localSh(switchCommand({ paths: p, id: 'app-v2', links: [], after: [] }));
    expect(r.code, r.stderr).toBe(0);
    expect(readlinkSync(join(root, 'current'))).toBe('releases/app-v2');
    expect(readlinkSync(join(root, 'previous'))).toBe('releases/app-v1');
    // switching to the same release keeps previous
    await localSh(switchCommand({ paths: p, id: 'app-v2', links: [], after: [] }));
    expect(readlinkSync(join(root, 'previous'))).toBe('releases/app-v1');
  });

  it('refuses a release that is not staged, leaving current alone', async () => {
    const root = fresh();
    withReleases(root, ['app-v1']);
    const p = releasePaths(root);
    await localSh(switchCommand({ paths: p, id: 'app-v1', links: [], after: [] }));
    const r = await localSh(switchCommand({ paths: p, id: 'app-v9', links: [], after: [] }));
    expect(r.code).not.toBe(0);
    expect(readlinkSync(join(root, 'current'))).toBe('releases/app-v1');
  });

  it('links service configs into current/config and keeps a regular file as .ferry-orig', async () => {
    const root = fresh();
    const etc = fresh();
    writeFileSync(join(etc, 'site.conf'), 'operator wrote this');
    const p = releasePaths(root);
    const r = await localSh(script(linkConfigScript(p, { target: 'nginx/site.conf', link: join(etc, 'site.conf') })));
    expect(r.code, r.stderr).toBe(0);
    expect(readlinkSync(join(etc, 'site.conf'))).toBe(`${root}/current/config/nginx/site.conf`);
    expect(readFileSync(join(etc, 'site.conf.ferry-orig'), 'utf8')).toBe('operator wrote this');
    // a second run replaces the link and keeps the original
    expect((await localSh(script(linkConfigScript(p, { target: 'nginx/site.conf', link: join(etc, 'site.conf') })))).code).toBe(0);
    expect(readFileSync(join(etc, 'site.conf.ferry-orig'), 'utf8')).toBe('operator wrote this');
  });

  it('chains the after-switch commands with && (a failing reload fails the switch step)', () => {
    const p = releasePaths('/srv/app');
    const text = render(switchCommand({ paths: p, id: 'app-v1', links: [], after: [{ argv: ['nginx', '-s', 'reload'] }] }), { masked: false });
    expect(text).toContain('mv -Tf /srv/app/current.tmp /srv/app/current && { nginx -s reload; }');
    expect(text).not.toMatch(/; *nginx/);
  });
});

describe('finish: history, prune, unlock', () => {
  it('keeps the newest N plus current and previous, drops unused cache files and the lock', async () => {
    const root = fresh();
    const ids = ['app-1', 'app-2', 'app-3', 'app-4', 'app-5', 'app-6'];
    withReleases(root, ids);
    mkdirSync(join(root, 'releases', 'app-7.partial'));
    const p = releasePaths(root);
    symlinkSync('releases/app-1', join(root, 'current'));
    symlinkSync('releases/app-2', join(root, 'previous'));
    mkdirSync(p.cacheDir, { recursive: true });
    const kept = readFileSync(join(root, 'releases/app-6/.ferry-sha256'), 'utf8').trim();
    const dropped = readFileSync(join(root, 'releases/app-3/.ferry-sha256'), 'utf8').trim();
    writeFileSync(p.cacheFile(kept), 'x');
    writeFileSync(p.cacheFile(dropped), 'x');
    mkdirSync(p.lock, { recursive: true });
    const history = { at: 'now', action: 'deploy' as const, user: 'u', controlHost: 'c', runId: 'r', bundle: 'app', result: 'ok' as const, from: 'app-2', to: 'app-1' };
    const r = await localSh(finishCommand({ paths: p, history, keep: 2, unlock: true }));
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(join(root, 'releases')).sort()).toEqual(['app-1', 'app-2', 'app-5', 'app-6']);
    expect(existsSync(p.cacheFile(kept))).toBe(true);
    expect(existsSync(p.cacheFile(dropped))).toBe(false);
    expect(existsSync(p.lock)).toBe(false);
    expect(JSON.parse(readFileSync(p.history, 'utf8'))).toEqual(history);
  });
});

describe('probe and upload', () => {
  it('takes the lock once: a second probe reports it held with the owner', async () => {
    const root = fresh();
    const p = releasePaths(root);
    const owner = { user: 'alice', host: 'ctl', pid: 1, started: '2026-01-01T00:00:00Z', command: "ferry deploy app --tag 'v1'", runId: 'r1' };
    const first = parseProbe((await localSh(probeCommand({ paths: p, id: 'app-v1', sha256: 'a'.repeat(64), lockAs: owner }))).stdout);
    expect(first).toMatchObject({ lock: 'acquired', releasePresent: false, cachedSha256: undefined, releases: [] });
    const second = parseProbe((await localSh(probeCommand({ paths: p, id: 'app-v1', sha256: 'a'.repeat(64), lockAs: owner }))).stdout);
    expect(second.lock).toBe('held');
    expect(second.owner).toEqual(owner);
    const ro = parseProbe((await localSh(probeCommand({ paths: p, id: 'app-v1' }))).stdout);
    expect(ro.lock).toBe('held');
  });

  it('a host already on the release with the same configs records "unchanged" and takes no lock', async () => {
    const root = fresh();
    withReleases(root, ['app-v1']);
    mkdirSync(join(root, 'releases/app-v1/configs/0123456789abcdef'), { recursive: true });
    rmSync(join(root, 'releases/app-v1/config'), { recursive: true });
    symlinkSync('configs/0123456789abcdef', join(root, 'releases/app-v1/config'));
    symlinkSync('releases/app-v1', join(root, 'current'));
    const p = releasePaths(root);
    const owner = { user: 'u', host: 'h', pid: 1, started: 's', command: 'c', runId: 'r' };
    const raw = async (hash: string) =>
      (await localSh(probeCommand({ paths: p, id: 'app-v1', sha256: 'a'.repeat(64), configHash: hash, lockAs: owner, unchangedHistory: '{"result":"unchanged"}' }))).stdout;
    const probe = async (hash: string) => parseProbe(await raw(hash));
    // the no-op answers at once: no other probing (each would be a process on the host)
    expect(await raw('0123456789abcdef')).toBe('lock=unchanged\n');
    expect(existsSync(p.lock)).toBe(false);
    expect(readFileSync(p.history, 'utf8')).toBe('{"result":"unchanged"}\n');
    // other configs (the inventory changed): a real deploy, with the lock
    expect((await probe('fedcba9876543210')).lock).toBe('acquired');
    expect(existsSync(p.lock)).toBe(true);
  });

  it('reports the cached artifact\'s real sha256, so a corrupt cache is seen', async () => {
    const root = fresh();
    const p = releasePaths(root);
    const content = 'artifact bytes';
    const sha = execFileSync('sha256sum', { input: content, encoding: 'utf8' }).split(' ')[0]!;
    const up = await localSh(uploadCommand(p, sha, 'run-1'), content);
    expect(up.code, up.stderr).toBe(0);
    expect(parseProbe((await localSh(probeCommand({ paths: p, id: 'x1', sha256: sha }))).stdout).cachedSha256).toBe(sha);
    writeFileSync(p.cacheFile(sha), 'corrupted');
    expect(parseProbe((await localSh(probeCommand({ paths: p, id: 'x1', sha256: sha }))).stdout).cachedSha256).not.toBe(sha);
  });

  it('an upload whose bytes do not match never gets the final name', async () => {
    const root = fresh();
    const p = releasePaths(root);
    const r = await localSh(uploadCommand(p, 'b'.repeat(64), 'run-2'), 'truncated');
    expect(r.code).toBe(65);
    expect(r.stderr).toMatch(/sha256 mismatch/);
    expect(readdirSync(p.cacheDir)).toEqual([]);
  });
});

describe('releases listing', () => {
  it('lists complete releases newest first, partials, lock and history', async () => {
    const root = fresh();
    withReleases(root, ['app-1', 'app-2']);
    mkdirSync(join(root, 'releases', 'app-3.partial'));
    const p = releasePaths(root);
    symlinkSync('releases/app-2', join(root, 'current'));
    mkdirSync(p.state, { recursive: true });
    writeFileSync(p.history, '{"action":"deploy","result":"ok","to":"app-2"}\n{torn');
    const r = parseReleases((await localSh(listReleasesCommand(p))).stdout);
    expect(r.current).toBe('app-2');
    expect(r.releases.map((x) => x.id)).toEqual(['app-2', 'app-1']);
    expect(r.partial).toEqual(['app-3.partial']);
    expect(r.history).toHaveLength(1);
    expect(lstatSync(join(root, 'current')).isSymbolicLink()).toBe(true);
  });
});
