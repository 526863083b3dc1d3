import { existsSync, mkdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { render, sudoParts, usesSudo } from '../../../src/shell/command.js';
import { releasePaths } from '../../../src/ops/release/paths.js';
import { switchCommand, type SwitchInput } from '../../../src/ops/release/switch.js';
import { localSh } from '../../helpers/local-sh.js';
import { fresh, withReleases } from './fixtures.js';

const to = (root: string, id: string): SwitchInput => ({ paths: releasePaths(root), id, links: [], after: [] });

describe('switch', () => {
  it('moves current by rename and remembers previous', async () => {
    const root = fresh();
    withReleases(root, ['app-v1', 'app-v2']);
    expect((await localSh(switchCommand(to(root, 'app-v1')))).code).toBe(0);
    expect(readlinkSync(join(root, 'current'))).toBe('releases/app-v1');
    expect(existsSync(join(root, 'previous'))).toBe(false);
    const r = await localSh(switchCommand(to(root, 'app-v2')));
    expect(r.code, r.stderr).toBe(0);
    expect(readlinkSync(join(root, 'current'))).toBe('releases/app-v2');
    expect(readlinkSync(join(root, 'previous'))).toBe('releases/app-v1');
    // switching to the same release keeps previous
    expect((await localSh(switchCommand(to(root, 'app-v2')))).code).toBe(0);
    expect(readlinkSync(join(root, 'previous'))).toBe('releases/app-v1');
  });

  it('a revert restores previous as it was before the run (or removes it)', async () => {
    const root = fresh();
    withReleases(root, ['app-v1', 'app-v2', 'app-v3']);
    await localSh(switchCommand(to(root, 'app-v1')));
    await localSh(switchCommand(to(root, 'app-v2')));
    // a deploy of v3 switches (previous := v2), fails, and is reverted to v2 with previous v1 again
    await localSh(switchCommand(to(root, 'app-v3')));
    expect(readlinkSync(join(root, 'previous'))).toBe('releases/app-v2');
    const r = await localSh(switchCommand({ ...to(root, 'app-v2'), restorePrevious: { id: 'app-v1' } }));
    expect(r.code, r.stderr).toBe(0);
    expect(readlinkSync(join(root, 'current'))).toBe('releases/app-v2');
    expect(readlinkSync(join(root, 'previous'))).toBe('releases/app-v1');
    const none = await localSh(switchCommand({ ...to(root, 'app-v2'), restorePrevious: { id: undefined } }));
    expect(none.code, none.stderr).toBe(0);
    expect(existsSync(join(root, 'previous'))).toBe(false);
  });

  it('refuses a release that is not staged, leaving current alone', async () => {
    const root = fresh();
    withReleases(root, ['app-v1']);
    await localSh(switchCommand(to(root, 'app-v1')));
    expect((await localSh(switchCommand(to(root, 'app-v9')))).code).not.toBe(0);
    expect(readlinkSync(join(root, 'current'))).toBe('releases/app-v1');
  });

  it("points the release at this host's config set first, and refuses a set that is not staged", async () => {
    const root = fresh();
    withReleases(root, ['app-v1']);
    // as staged: config -> configs/<hash>, one set per inventory change
    const rel = join(root, 'releases/app-v1');
    rmSync(join(rel, 'config'), { recursive: true });
    mkdirSync(join(rel, 'configs/0123456789abcdef'), { recursive: true });
    mkdirSync(join(rel, 'configs/fedcba9876543210'), { recursive: true });
    symlinkSync('configs/fedcba9876543210', join(rel, 'config'));
    const bad = await localSh(switchCommand({ ...to(root, 'app-v1'), configHash: '00000000deadbeef' }));
    expect(bad.code).not.toBe(0);
    expect(existsSync(join(root, 'current'))).toBe(false);
    expect(readlinkSync(join(rel, 'config'))).toBe('configs/fedcba9876543210');
    const ok = await localSh(switchCommand({ ...to(root, 'app-v1'), configHash: '0123456789abcdef' }));
    expect(ok.code, ok.stderr).toBe(0);
    expect(readlinkSync(join(rel, 'config'))).toBe('configs/0123456789abcdef');
    expect(readlinkSync(join(root, 'current'))).toBe('releases/app-v1');
  });

  it('chains the after-switch commands with && (a failing reload fails the switch step)', async () => {
    const reload = switchCommand({ ...to('/srv/app', 'app-v1'), after: [{ argv: ['nginx', '-s', 'reload'] }] });
    const text = render(reload, { masked: false });
    expect(text).toMatch(
      /mv -Tf \/srv\/app\/current\.tmp \/srv\/app\/current \) && if .* >&2 && \{ nginx -s reload; \}'/,
    );
    expect(text).not.toMatch(/; *nginx/);
    const root = fresh();
    withReleases(root, ['app-v1']);
    expect((await localSh(switchCommand({ ...to(root, 'app-v1'), after: [{ argv: ['false'] }] }))).code).not.toBe(0);
  });

  it('runs only the service steps as root (config links, reloads), the release store as the SSH user', () => {
    const links = [{ target: 'nginx/app.conf', link: '/etc/nginx/sites-enabled/app.conf' }];
    const c = switchCommand({ ...to('/srv/app', 'app-v1'), links, after: [{ argv: ['nginx', '-s', 'reload'] }] });
    expect(usesSudo(c)).toBe(true);
    const [root, ...more] = sudoParts(c, { masked: true });
    expect(more).toEqual([]);
    expect(root).toMatch(/^mkdir -p \/etc\/nginx\/sites-enabled && .* && \{ nginx -s reload; \}$/);
    expect(root).not.toContain('current.tmp');
    expect(render(c, { masked: false })).toContain(`if [ "$(id -u)" = 0 ]; then sh -c `);
    // nothing outside the deploy path: no sudo at all
    expect(usesSudo(switchCommand(to('/srv/app', 'app-v1')))).toBe(false);
  });
});
