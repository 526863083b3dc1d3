import { describe, expect, it } from 'vitest';
import { parseInventoryFile } from '../../../src/project/parse-inventory.js';
import { buildInventory } from '../../../src/project/build-inventory.js';
import { parseSetFlags } from '../../../src/inventory/set-flags.js';
import { HOSTILE_STRINGS, YAML_SHAPED } from '../../fixtures/hostile-strings.js';
import { selectHosts } from '../../../src/inventory/select.js';
import { deepMerge } from '../../../src/inventory/merge.js';
import { ProjectError } from '../../../src/errors/index.js';
import type { Attrs, Inventory } from '../../../src/inventory/types.js';

const INV = `defaults:
  app_port: 8000
  tuning: { workers: 1, gzip: true }
  tags: [a, b]
roles:
  app: { attrs: { workers: 4, tuning: { workers: 4 }, tags: [app] } }
  canary: { attrs: { workers: 8, tuning: { canary: true } } }
  lb: { attrs: { haproxy_socket: /run/haproxy/admin.sock } }
hosts:
  web1: { address: 10.0.0.11, roles: [app], attrs: { weight: 100 } }
  web2: { address: 10.0.0.12, roles: [app, canary], attrs: { workers: 16 } }
  web3: { address: 10.0.0.13, roles: [canary, app] }
  lb1: { address: 10.0.0.5, user: deploy, port: 2222, roles: [lb] }
`;

/** What loadInventory does with inventory.yaml, its parse cache aside. */
const parseInventory = (file: string, text: string, o: { set?: Attrs } = {}): Inventory =>
  buildInventory(file, parseInventoryFile(file, text), o.set);

const SET = await parseSetFlags([], ['tuning.gzip=false', 'weight=7']);

describe('attribute precedence: defaults < roles (listed order) < host < --set', () => {
  const inv = parseInventory('inventory.yaml', INV, { set: SET });
  const attrs = (n: string) => inv.hosts.find((h) => h.name === n)?.attrs ?? {};
  it.each([
    ['web1', 'app_port', 8000],
    ['web1', 'workers', 4],
    ['web2', 'workers', 16],
    ['web3', 'workers', 4],
    ['web1', 'weight', 7],
    ['lb1', 'haproxy_socket', '/run/haproxy/admin.sock'],
  ])('%s.%s = %j', (host, key, value) => {
    expect(attrs(host)[key]).toEqual(value);
  });
  it('deep-merges maps', () => {
    expect(attrs('web2').tuning).toEqual({ workers: 4, gzip: false, canary: true });
    expect(attrs('web3').tuning).toEqual({ workers: 4, gzip: false, canary: true });
  });
  it('replaces lists', () => {
    expect(attrs('web1').tags).toEqual(['app']);
    expect(attrs('lb1').tags).toEqual(['a', 'b']);
  });
  it('keeps user/port/address', () => {
    const lb = inv.hosts.find((h) => h.name === 'lb1');
    expect(lb).toMatchObject({ address: '10.0.0.5', user: 'deploy', port: 2222, roles: ['lb'] });
  });
  it('deepMerge does not mutate', () => {
    const a = { x: { y: 1 } };
    deepMerge(a, { x: { z: 2 } });
    expect(a).toEqual({ x: { y: 1 } });
  });
});

describe('inventory errors name file:line:column and the key', () => {
  const cases: Array<[string, string, RegExp]> = [
    [
      'unknown host key',
      'hosts:\n  web1:\n    adress: 1.2.3.4\n',
      /^inventory.yaml:3:5: unknown key "adress" in hosts.web1/,
    ],
    ['bad port type', 'hosts:\n  web1: { port: "22x" }\n', /^inventory.yaml:2:17: hosts.web1.port: /],
    ['roles not a list', 'hosts:\n  web1:\n    roles: app\n', /^inventory.yaml:3:12: hosts.web1.roles: /],
    ['unknown top-level key', 'defaults: {}\nhostz: {}\nhosts: {}\n', /^inventory.yaml:2:1: unknown key "hostz"/],
    ['yaml syntax', 'hosts:\n  web1: { address: [1, 2\n', /^inventory.yaml:\d+:\d+: /],
    ['missing hosts', 'defaults: {}\n', /^inventory.yaml:1:1: hosts: /],
  ];
  it.each(cases)('%s', (_name, text, re) => {
    let err: unknown;
    try {
      parseInventory('inventory.yaml', text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ProjectError);
    expect((err as Error).message).toMatch(re);
  });
});

describe('selection', () => {
  const inv = parseInventory('inventory.yaml', INV);
  it('unions hosts and roles in inventory order', () => {
    expect(selectHosts(inv, { hosts: ['lb1'], roles: ['canary'] }).map((h) => h.name)).toEqual(['web2', 'web3', 'lb1']);
  });
  it('names unknown hosts and roles, and lists the valid ones', () => {
    expect(() => selectHosts(inv, { hosts: ['web9'] })).toThrow(
      'unknown host web9 (not in inventory.yaml); hosts: web1, web2, web3, lb1',
    );
    expect(() => selectHosts(inv, { hosts: ['web1', 'web8', 'web9'] })).toThrow(/^unknown hosts web8, web9 /);
    expect(() => selectHosts(inv, { roles: ['db'] })).toThrow(
      'unknown role db (not in inventory.yaml); roles: app, canary, lb',
    );
  });
  it('a role declared but on no host selects nothing, naming the roles that have hosts', () => {
    const withEmpty = parseInventory('inventory.yaml', INV.replace('roles:\n', 'roles:\n  db: {}\n'));
    expect(() => selectHosts(withEmpty, { roles: ['db'] })).toThrow(
      'no hosts selected (roles db have no hosts); roles with hosts: app, canary, lb',
    );
  });
  it('a long list of valid names is cut at 20 and counted', () => {
    const many = Array.from({ length: 30 }, (_, i) => `  h${i + 1}: { address: 10.1.0.${i + 1} }`).join('\n');
    const big = parseInventory('big.yaml', `hosts:\n${many}\n`);
    expect(() => selectHosts(big, { hosts: ['nope'] })).toThrow(/; hosts: h1, h2, .*, h20, … \(30 in all\)$/);
  });
});

describe('--set', () => {
  it('takes every value as the literal string given, with dotted keys', async () => {
    expect(await parseSetFlags(['a=1', 'b=true', 'c.d=x y', 'e=', 'f=a=b'])).toEqual({
      a: '1',
      b: 'true',
      c: { d: 'x y' },
      e: '',
      f: 'a=b',
    });
    await expect(parseSetFlags(['novalue'])).rejects.toThrow(/key=value/);
  });
  it('the YAML-shaped values of issue 13 arrive as written', async () => {
    for (const v of [...YAML_SHAPED, ...HOSTILE_STRINGS]) expect((await parseSetFlags([`k=${v}`])).k).toBe(v);
  });
  it('--set-json gives typed values, after --set; bad JSON names the key', async () => {
    expect(await parseSetFlags(['a=1', 'b.c=x'], ['a=1', 'b.d={"e":[true,null]}'])).toEqual({
      a: 1,
      b: { c: 'x', d: { e: [true, null] } },
    });
    await expect(parseSetFlags([], ['w=0x1F'])).rejects.toThrow(/--set-json w: not JSON/);
    await expect(parseSetFlags([], ['=1'])).rejects.toThrow(/--set-json expects key=value/);
  });
});
