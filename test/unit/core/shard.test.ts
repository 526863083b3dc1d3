import { describe, expect, it } from 'vitest';
import { naturalCompare, parseShard, shardAssignment, shardOf } from '../../../src/inventory/shard.js';
import { selectHosts } from '../../../src/inventory/select.js';
import { UsageError } from '../../../src/errors/index.js';
import type { Host, Inventory } from '../../../src/inventory/types.js';

const host = (name: string, roles: string[]): Host => ({ name, address: name, roles, attrs: {} });
/** 3 LBs, 17 app hosts, 4 db hosts, 2 app+canary: 26 hosts, listed in a shuffled order */
const FLEET: Host[] = [
  ...Array.from({ length: 17 }, (_, i) => host(`web${i + 1}`, ['app'])),
  ...Array.from({ length: 3 }, (_, i) => host(`lb${i + 1}`, ['lb'])),
  ...Array.from({ length: 4 }, (_, i) => host(`db${i + 1}`, ['db'])),
  host('canary1', ['canary', 'app']),
  host('canary2', ['app', 'canary']),
].sort(
  (a, b) =>
    ((a.name.length * 7 + a.name.charCodeAt(a.name.length - 1)) % 11) -
    ((b.name.length * 7 + b.name.charCodeAt(b.name.length - 1)) % 11),
);

const counts = (hosts: readonly Host[], n: number, role?: string) => {
  const at = shardAssignment(hosts, n);
  const c = Array.from({ length: n }, () => 0);
  for (const h of hosts) if (!role || h.roles.includes(role)) c[(at.get(h.name) ?? 0) - 1]! += 1;
  return c;
};

describe('--shard i/n', () => {
  it('parses i/n and refuses anything else', () => {
    expect(parseShard('3/8')).toEqual({ index: 3, count: 8 });
    expect(parseShard(' 1 / 1 ')).toEqual({ index: 1, count: 1 });
    for (const bad of ['0/4', '5/4', '3', 'a/b', '1/0', '-1/4', '1.5/4'])
      expect(() => parseShard(bad)).toThrow(UsageError);
  });

  it('names sort naturally and by code point, never by locale', () => {
    expect(['web10', 'web2', 'web1', 'Web3'].sort(naturalCompare)).toEqual(['Web3', 'web1', 'web2', 'web10']);
  });

  it('every host lands in exactly one shard; the shards together are the selection', () => {
    for (const n of [1, 2, 3, 4, 7, 26]) {
      const all = Array.from({ length: n }, (_, i) => shardOf(FLEET, { index: i + 1, count: n })).flat();
      expect(all.map((h) => h.name).sort()).toEqual(FLEET.map((h) => h.name).sort());
    }
  });

  it('is balanced within ±1 host per role group and in total', () => {
    for (const n of [2, 3, 4, 5, 8]) {
      for (const role of [undefined, 'lb', 'db', 'app']) {
        const c = counts(FLEET, n, role);
        if (role !== 'app') expect(Math.max(...c) - Math.min(...c), `n=${n} role=${role}`).toBeLessThanOrEqual(1);
      }
      // app hosts come in two role sets (app, app+canary): each set ±1, so the role ±2 at most
      const app = counts(FLEET, n, 'app');
      expect(Math.max(...app) - Math.min(...app)).toBeLessThanOrEqual(2);
    }
    // the 3 LBs of 4 shards: never two in one shard (a hash could put all three together)
    expect(counts(FLEET, 4, 'lb').sort()).toEqual([0, 1, 1, 1]);
  });

  it('is stable: independent of inventory order and of the process', () => {
    const a = shardAssignment(FLEET, 4);
    const b = shardAssignment([...FLEET].reverse(), 4);
    expect([...b.entries()].sort()).toEqual([...a.entries()].sort());
    // pinned, so a change of the algorithm (which would move hosts between CI jobs) is seen
    expect(
      shardOf(FLEET, { index: 2, count: 4 })
        .map((h) => h.name)
        .sort(naturalCompare),
    ).toEqual(['canary1', 'db3', 'lb3', 'web2', 'web6', 'web10', 'web14'].sort(naturalCompare));
  });

  it('an empty shard (more shards than hosts) is a usage error', () => {
    expect(() => shardOf(FLEET.slice(0, 2), { index: 3, count: 3 })).toThrow(/empty: use at most 2 shards/);
  });

  it('is a selection flag: applied after --hosts/--roles', () => {
    const inv: Inventory = { file: 'inventory.yaml', hosts: FLEET, roles: new Map(), defaults: {} };
    const lbs = selectHosts(inv, { roles: ['lb'], shard: { index: 1, count: 3 } });
    expect(lbs.map((h) => h.name)).toEqual(['lb1']);
    expect(selectHosts(inv, { roles: ['db'], shard: { index: 2, count: 2 } }).map((h) => h.name)).toEqual([
      'db2',
      'db4',
    ]);
  });
});
