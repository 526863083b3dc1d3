import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInventory } from '../../../src/project/load-inventory.js';

describe('inventory parse cache (per user, keyed by text and build)', () => {
  let dir = '';
  let saved: string | undefined;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-invcache-'));
    saved = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = join(dir, 'cache');
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = saved;
    rmSync(dir, { recursive: true, force: true });
  });
  const cached = () => readdirSync(join(dir, 'cache', 'ferry', 'inventory')).filter((n) => n.endsWith('.json'));

  it('a second load comes from the cache and is the same inventory, --set applied on top', async () => {
    const file = join(dir, 'a.yaml');
    writeFileSync(
      file,
      'defaults: { port: 1 }\nroles: { app: { attrs: { port: 2 } } }\n' +
        'hosts:\n  web1: { address: 10.0.0.1, roles: [app] }\n  db1: {}\n',
    );
    const first = await loadInventory(file);
    expect(cached()).toHaveLength(1);
    const second = await loadInventory(file, { set: { port: 9 } });
    expect(second.hosts.map((h) => [h.name, h.address, h.roles, h.attrs])).toEqual([
      ['web1', '10.0.0.1', ['app'], { port: 9 }],
      ['db1', 'db1', [], { port: 9 }],
    ]);
    expect(first.hosts.map((h) => h.attrs)).toEqual([{ port: 2 }, { port: 1 }]);
    expect(second.roles.get('app')).toEqual({ port: 2 });
  });

  it('an edited file is parsed again; an invalid one still fails with its position', async () => {
    const file = join(dir, 'b.yaml');
    writeFileSync(file, 'hosts:\n  web1: { address: 10.0.0.1 }\n');
    expect((await loadInventory(file)).hosts[0]?.address).toBe('10.0.0.1');
    writeFileSync(file, 'hosts:\n  web1: { address: 10.0.0.2 }\n');
    expect((await loadInventory(file)).hosts[0]?.address).toBe('10.0.0.2');
    writeFileSync(file, 'hosts:\n  web1: { adress: 10.0.0.2 }\n');
    await expect(loadInventory(file)).rejects.toThrow(/b\.yaml:2:\d+/);
  });

  it('values JSON cannot hold exactly (.inf) are never cached', async () => {
    const file = join(dir, 'c.yaml');
    writeFileSync(file, 'defaults: { limit: .inf }\nhosts: { h1: {} }\n');
    const before = cached().length;
    expect((await loadInventory(file)).hosts[0]?.attrs).toEqual({ limit: Infinity });
    expect(cached()).toHaveLength(before);
    expect((await loadInventory(file)).hosts[0]?.attrs).toEqual({ limit: Infinity });
  });
});
