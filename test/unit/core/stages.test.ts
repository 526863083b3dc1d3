import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors/usage-error.js';
import { ProjectError } from '../../../src/errors/project-error.js';
import { loadInventory } from '../../../src/project/load-inventory.js';
import { scaffold } from '../../../src/project/scaffold.js';
import { loadSettings } from '../../../src/project/settings.js';
import { chooseInventory, stageNames } from '../../../src/project/stages.js';

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-stages-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const HOSTS = 'hosts:\n  a: { address: 10.0.0.1 }\n';

describe('stages', () => {
  it('are the files in inventories/, chosen by --stage or the default stage', () => {
    const dir = project({
      'inventories/staging.yaml': HOSTS,
      'inventories/production.yml': HOSTS,
      'inventories/x.txt': '',
    });
    expect(stageNames(dir)).toEqual(['production', 'staging']);
    expect(chooseInventory(dir, { stage: 'production' }, 'staging')).toEqual({
      file: join(dir, 'inventories/production.yml'),
      stage: 'production',
    });
    expect(chooseInventory(dir, {}, 'staging').stage).toBe('staging');
    expect(chooseInventory(dir, { inventory: 'other.yaml' }, 'staging')).toEqual({ file: join(dir, 'other.yaml') });
  });

  it('an unknown stage, a stage with --inventory, or stages without a choice are usage errors', () => {
    const dir = project({ 'inventories/staging.yaml': HOSTS, 'inventories/production.yaml': HOSTS });
    expect(() => chooseInventory(dir, { stage: 'qa' }, undefined)).toThrow(
      new UsageError("unknown stage 'qa'; stages: production, staging"),
    );
    expect(() => chooseInventory(dir, {}, 'qa')).toThrow(/unknown stage 'qa' \(the default stage in ferry.yaml\)/);
    expect(() => chooseInventory(dir, { stage: 'staging', inventory: 'x.yaml' }, undefined)).toThrow(UsageError);
    expect(() => chooseInventory(dir, {}, undefined)).toThrow(/pass --stage NAME \(stages: production, staging\)/);
  });

  it('without stages the single inventory.yaml is used, as before', () => {
    const dir = project({ 'inventory.yaml': HOSTS });
    expect(chooseInventory(dir, {}, undefined)).toEqual({ file: join(dir, 'inventory.yaml') });
  });

  it('a stage file can mark itself protected; a bad value names file:line:column', async () => {
    const dir = project({
      'inventories/production.yaml': `stage:\n  protected: true\n${HOSTS}`,
      'inventories/staging.yaml': HOSTS,
      'inventories/bad.yaml': `stage:\n  protected: yes please\n${HOSTS}`,
    });
    expect((await loadInventory(join(dir, 'inventories/production.yaml'))).protected).toBe(true);
    expect((await loadInventory(join(dir, 'inventories/staging.yaml'))).protected).toBe(false);
    await expect(loadInventory(join(dir, 'inventories/bad.yaml'))).rejects.toThrow(/bad\.yaml:2:14: stage\.protected/);
  });

  it('a stage file can take tags only; an unknown stage key names its place', async () => {
    const dir = project({
      'inventories/production.yaml': `stage: { protected: true, tagsOnly: true }\n${HOSTS}`,
      'inventories/staging.yaml': HOSTS,
      'inventories/typo.yaml': `stage:\n  tagOnly: true\n${HOSTS}`,
    });
    expect(await loadInventory(join(dir, 'inventories/production.yaml'))).toMatchObject({ tagsOnly: true });
    expect((await loadInventory(join(dir, 'inventories/staging.yaml'))).tagsOnly).toBe(false);
    await expect(loadInventory(join(dir, 'inventories/typo.yaml'))).rejects.toThrow(
      /typo\.yaml:2:3: unknown key "tagOnly" in stage/,
    );
  });
});

describe('ferry.yaml', () => {
  it('holds the default stage, known_hosts, identity, parallel and keep_logs; paths are project- or home-relative', async () => {
    const dir = project({
      'ferry.yaml':
        'stage: staging\nknown_hosts: keys/known_hosts\nidentity: [~/.ssh/deploy, id]\nparallel: 8\nkeep_logs: 20\n',
    });
    expect(await loadSettings(dir)).toEqual({
      file: join(dir, 'ferry.yaml'),
      stage: 'staging',
      knownHosts: join(dir, 'keys/known_hosts'),
      identity: [join(homedir(), '.ssh/deploy'), join(dir, 'id')],
      parallel: 8,
      keepLogs: 20,
    });
    expect((await loadSettings(project({}))).identity).toEqual([]);
  });

  it('an unknown key is named with its place', async () => {
    const dir = project({ 'ferry.yaml': 'stage: staging\nknownhosts: x\n' });
    await expect(loadSettings(dir)).rejects.toThrow(ProjectError);
    await expect(loadSettings(dir)).rejects.toThrow(/ferry\.yaml:2:1: unknown key "knownhosts"/);
  });
});

describe('ferry init (scaffold)', () => {
  it('writes the node project, naming the bundle after package.json; existing files are skipped', () => {
    const dir = project({ 'package.json': '{"name":"@acme/shop"}', 'tsconfig.json': '{}\n' });
    const r = scaffold({ projectDir: dir, kind: 'node' });
    expect(r.app).toBe('shop');
    expect(r.skipped).toEqual(['tsconfig.json']);
    expect(r.written).toContain('bundles/shop/bundle.ts');
    expect(r.written).toContain('.ferry/.gitignore');
    expect(readFileSync(join(dir, 'tsconfig.json'), 'utf8')).toBe('{}\n');
    expect(readFileSync(join(dir, 'bundles/shop/bundle.ts'), 'utf8')).toContain("name: 'shop'");
    expect(readFileSync(join(dir, 'bundles/shop/bundle.ts'), 'utf8')).not.toContain('__APP__');
  });

  it('the python scaffold has a package named after the app', () => {
    const dir = project({});
    const r = scaffold({ projectDir: dir, kind: 'python', app: 'my-api' });
    expect(r.written).toContain('bundles/my-api/my_api/server.py');
    expect(readFileSync(join(dir, 'bundles/my-api/pyproject.toml'), 'utf8')).toContain(
      'my-api-server = "my_api.server:main"',
    );
  });

  it('a folder with an inventory gets nothing; --force replaces', () => {
    const dir = project({ 'inventory.yaml': HOSTS });
    const r = scaffold({ projectDir: dir, kind: 'node', app: 'x' });
    expect(r).toEqual({ app: 'x', written: [], skipped: [], existing: join(dir, 'inventory.yaml') });
    expect(existsSync(join(dir, 'ferry.yaml'))).toBe(false);
    expect(scaffold({ projectDir: dir, kind: 'node', app: 'x', force: true }).written).toContain('ferry.yaml');
  });

  it('a name that cannot be a bundle is a usage error', () => {
    expect(() => scaffold({ projectDir: project({}), kind: 'node', app: 'My App' })).toThrow(UsageError);
  });
});
