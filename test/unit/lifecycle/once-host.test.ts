import { describe, expect, test } from 'vitest';
import type { Host } from '../../../src/inventory/types.js';
import { onceHost } from '../../../src/lifecycle/once-host.js';

const host = (name: string, roles: string[], primary?: boolean): Host => ({
  name,
  address: name,
  roles,
  attrs: {},
  ...(primary ? { primary } : {}),
});

// inventory order: web3 before web1 on purpose (never sorted by name)
const db = host('db1', ['db']);
const web3 = host('web3', ['app']);
const web1 = host('web1', ['app', 'lb']);
const web2 = host('web2', ['app'], true);
const lb = host('lb1', ['lb']);
const inventory = [db, web3, web1, web2, lb];

describe('the one host a run-once step runs on', () => {
  test('the primary host of the role, wherever it stands in the inventory', () => {
    expect(onceHost('app', inventory, inventory)).toMatchObject({ host: web2, why: 'primary' });
  });

  test('without a primary: the first host of the role in inventory order', () => {
    expect(onceHost('lb', inventory, inventory)).toMatchObject({ host: web1, why: 'first' });
    const noPrimary = inventory.map((h) => ({ ...h, primary: undefined }));
    expect(onceHost('app', noPrimary, noPrimary).host?.name).toBe('web3');
  });

  test('only among the hosts this deploy selected (only they hold the new release)', () => {
    // the primary is not selected: the first selected host of the role, in inventory order (not selection order)
    expect(onceHost('app', [web1, web3], inventory)).toMatchObject({ host: web3, why: 'first' });
    expect(onceHost('app', [web2, web1], inventory)).toMatchObject({ host: web2, why: 'primary' });
  });

  test('a role without a selected host, or without any host', () => {
    expect(onceHost('app', [db, lb], inventory)).toEqual({ host: undefined, why: 'none-selected' });
    expect(onceHost('worker', inventory, inventory)).toEqual({ host: undefined, why: 'no-such-host' });
    expect(onceHost('app', [], [])).toEqual({ host: undefined, why: 'no-such-host' });
  });

  test('two primaries of the role are named (the deploy refuses), one of another role is not', () => {
    const two = [...inventory, host('web4', ['app'], true)];
    expect(onceHost('app', two, two)).toMatchObject({ host: web2, ambiguous: ['web2', 'web4'] });
    const otherRole = [...inventory, host('db2', ['db'], true)];
    expect(onceHost('app', otherRole, otherRole).ambiguous).toBeUndefined();
    expect(onceHost('db', otherRole, otherRole)).toMatchObject({ host: { name: 'db2' }, why: 'primary' });
  });
});
