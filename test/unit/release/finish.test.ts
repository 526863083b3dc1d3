import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { render } from '../../../src/shell/command.js';
import { finishCommand } from '../../../src/ops/release/finish.js';
import type { HistoryEntry } from '../../../src/ops/release/history.js';
import { releasePaths } from '../../../src/ops/release/paths.js';
import { localSh } from '../../helpers/local-sh.js';
import { fresh, withReleases } from './fixtures.js';

const entry: HistoryEntry = {
  at: 'now',
  action: 'deploy',
  user: 'u',
  controlHost: 'c',
  runId: 'r',
  bundle: 'app',
  result: 'ok',
  from: 'app-2',
  to: 'app-1',
};

describe('finish: history, prune, unlock', () => {
  it('keeps the newest N plus current and previous, drops unused cache files and the lock', async () => {
    const root = fresh();
    withReleases(root, ['app-1', 'app-2', 'app-3', 'app-4', 'app-5', 'app-6']);
    mkdirSync(join(root, 'releases', 'app-7.partial'));
    const p = releasePaths(root);
    symlinkSync('releases/app-1', join(root, 'current'));
    symlinkSync('releases/app-2', join(root, 'previous'));
    mkdirSync(p.cacheDir, { recursive: true });
    const kept = readFileSync(join(root, 'releases/app-6/.ferry-sha256'), 'utf8').trim();
    const dropped = readFileSync(join(root, 'releases/app-3/.ferry-sha256'), 'utf8').trim();
    writeFileSync(p.cacheFile(kept), 'x');
    writeFileSync(p.cacheFile(dropped), 'x');
    // a fresh part of a dead run (killed upload, full disk): under our lock nobody else uploads
    writeFileSync(`${p.cacheFile(kept)}.part-deadrun`, 'half');
    mkdirSync(p.lock, { recursive: true });
    const r = await localSh(finishCommand({ paths: p, history: entry, keep: 2, unlock: true }));
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(join(root, 'releases')).sort()).toEqual(['app-1', 'app-2', 'app-5', 'app-6']);
    expect(existsSync(p.cacheFile(kept))).toBe(true);
    expect(existsSync(p.cacheFile(dropped))).toBe(false);
    expect(readdirSync(p.cacheDir)).toEqual([`${kept}.tar.gz`]);
    expect(existsSync(p.lock)).toBe(false);
    expect(JSON.parse(readFileSync(p.history, 'utf8'))).toEqual(entry);
    // the prune's cd stays inside its step: the shell that runs the chain keeps its own directory
    const text = render(finishCommand({ paths: p, keep: 2, unlock: true }), { masked: false });
    expect(text).toMatch(/^\( cd .* \) && \( if mv -T \S+\/\.ferry\/lock /);
  });

  it('appends history and leaves the lock alone when asked only for that', async () => {
    const root = fresh();
    const p = releasePaths(root);
    mkdirSync(p.lock, { recursive: true });
    for (const history of [entry, { ...entry, result: 'failed' as const }]) {
      expect((await localSh(finishCommand({ paths: p, history, unlock: false }))).code).toBe(0);
    }
    const lines = readFileSync(p.history, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as HistoryEntry);
    expect(lines.map((l) => l.result)).toEqual(['ok', 'failed']);
    expect(existsSync(p.lock)).toBe(true);
    expect((await localSh(finishCommand({ paths: p, unlock: true }))).code).toBe(0);
    expect(existsSync(p.lock)).toBe(false);
  });

  it('with nothing to do it is a command that succeeds', async () => {
    expect((await localSh(finishCommand({ paths: releasePaths(fresh()), unlock: false }))).code).toBe(0);
  });
});
