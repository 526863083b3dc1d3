import { describe, expect, test } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { loadDefinition, parseBundle } from '../../../src/bundle/index.js';
import { ProjectError } from '../../../src/errors/index.js';
import { DEMO_DIR } from './fixtures.js';
import { tempDirs } from './temp-dirs.js';

const tempDir = tempDirs();

const FILE = 'bundles/x/bundle.ts';

describe('bundle definition', () => {
  test('defaults are applied and written out', () => {
    const { definition } = parseBundle(
      { name: 'x', env: { kind: 'python' }, configs: [{ template: 't/a.liquid', target: 'a.conf' }] },
      FILE,
    );
    expect(definition).toEqual({
      name: 'x',
      env: { kind: 'python', package: '.', python: '/usr/bin/python3', offline: true },
      build: [],
      roles: ['app'],
      configs: [{ template: 't/a.liquid', target: 'a.conf', roles: ['app'] }],
      shared: ['log', 'tmp'],
      program: 'x',
      health: { path: '/check.html', port: 'app_port' },
      deployPath: '/srv/x',
      keep: 5,
    });
    const h = parseBundle({ name: 'x', env: { kind: 'none' }, haproxy: { backend: 'b' } }, FILE).definition.haproxy;
    expect(h).toEqual({ backend: 'b', socket: '/run/haproxy/admin.sock', roles: ['lb'] });
  });

  test.each([
    [{ name: 'x', env: { kind: 'ruby' } }, /env\.kind: /],
    [
      { name: 'x', env: { kind: 'none' }, configs: [{ template: '../../etc/passwd', target: 'a' }] },
      /configs\.0\.template: must be a relative path/,
    ],
    [
      { name: 'x', env: { kind: 'none' }, configs: [{ template: 'a', target: 'a', link: 'etc/x' }] },
      /configs\.0\.link: must be an absolute path/,
    ],
    [{ name: 'x', env: { kind: 'none' }, keep: 0 }, /keep: /],
    [{ name: 'x', env: { kind: 'none' }, deployPath: 'srv/x' }, /deployPath: must be an absolute path/],
    [{ name: 'x', env: { kind: 'none' }, build: [[]] }, /build\.0: must be a non-empty argv array/],
    [{ name: 'x', env: { kind: 'none' }, helth: {} }, /helth: unknown key/],
    [{ name: 'bad name', env: { kind: 'none' } }, /name: must be a name/],
    [
      {
        name: 'x',
        env: { kind: 'none' },
        configs: [
          { template: 'a', target: 'same' },
          { template: 'b', target: 'same' },
        ],
      },
      /configs\.1\.target: 'same' is used twice/,
    ],
  ])('invalid: %j', (value, message) => {
    const err = (() => {
      try {
        parseBundle(value, FILE);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ProjectError);
    expect((err as ProjectError).position.file).toBe(FILE);
    expect((err as Error).message.startsWith(`${FILE}: `)).toBe(true);
    expect((err as Error).message).toMatch(message);
  });

  test('the name must match the bundle folder', () => {
    expect(() => parseBundle({ name: 'other', env: { kind: 'none' } }, FILE, 'x')).toThrow(
      /bundles\/x\/bundle\.ts: name: is 'other' but the bundle folder is 'x'/,
    );
  });

  test(
    'bundles/demo/bundle.ts loads with jiti ' +
      '(its `../../src/bundle/define-bundle.js` import resolves to the .ts source)',
    async () => {
      const { definition } = await loadDefinition(`${DEMO_DIR}/bundle.ts`, 'bundles/demo/bundle.ts', 'demo');
      expect(definition.name).toBe('demo');
      expect(definition.env).toEqual({ kind: 'node', scripts: true });
    },
  );

  test(
    'a bundle.ts outside this repo (as extracted from a tag) still finds defineBundle; ' + 'load errors name the file',
    async () => {
      const dir = await tempDir('ferry-def-');
      await writeFile(
        `${dir}/bundle.ts`,
        "import { defineBundle } from '../../src/bundle/define-bundle.js';\nconst keep: number = 3;\n" +
          "export default defineBundle({ name: 'x', env: { kind: 'none' }, keep });\n",
      );
      expect((await loadDefinition(`${dir}/bundle.ts`, FILE, 'x')).definition.keep).toBe(3);
      await writeFile(
        `${dir}/bundle.ts`,
        "import { defineBundle } from 'ferry';\nexport default defineBundle({ name: 'x', env: { kind: 'none' } });\n",
      );
      expect((await loadDefinition(`${dir}/bundle.ts`, FILE, 'x')).definition.name).toBe('x');
      await writeFile(`${dir}/bundle.ts`, 'export default {{{ ;\n');
      await expect(loadDefinition(`${dir}/bundle.ts`, FILE, 'x')).rejects.toThrow(
        /^bundles\/x\/bundle\.ts:1:17: cannot load bundle definition: /,
      );
    },
  );
});

describe('bundle.yaml', () => {
  test('loads as plain data; schema errors name file:line:column of the bad value', async () => {
    const dir = await tempDir('ferry-def-yaml-');
    await writeFile(
      `${dir}/bundle.yaml`,
      'name: y\nenv:\n  kind: none\nconfigs:\n  - template: t.liquid\n    target: a.conf\n',
    );
    const { definition } = await loadDefinition(`${dir}/bundle.yaml`, 'bundles/y/bundle.yaml', 'y');
    expect(definition.configs).toEqual([{ template: 't.liquid', target: 'a.conf', roles: ['app'] }]);

    await writeFile(`${dir}/bundle.yaml`, 'name: y\nenv:\n  kind: none\nkeep: 0\n');
    const err = await loadDefinition(`${dir}/bundle.yaml`, 'bundles/y/bundle.yaml', 'y').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProjectError);
    expect((err as ProjectError).position).toEqual({ file: 'bundles/y/bundle.yaml', line: 4, column: 7 });
    expect((err as Error).message).toMatch(/keep: /);

    await writeFile(`${dir}/bundle.yaml`, 'name: y\nenv: [unclosed\n');
    await expect(loadDefinition(`${dir}/bundle.yaml`, 'bundles/y/bundle.yaml', 'y')).rejects.toThrow(
      /^bundles\/y\/bundle\.yaml:\d+:\d+: /,
    );
  });
});
