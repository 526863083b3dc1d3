import { describe, expect, test } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import { loadDefinition } from '../../../src/bundle/index.js';
import { locateInBundleSource } from '../../../src/bundle/source-position.js';
import { ProjectError } from '../../../src/errors/index.js';
import { loadTasks } from '../../../src/project/load-tasks.js';
import { tempDirs } from './temp-dirs.js';

const tempDir = tempDirs();
const FILE = 'bundles/x/bundle.ts';

const SOURCE = [
  "import { defineBundle } from 'ferry';", // 1
  "const shared = { program: 'x' }; // { not: this }", // 2
  'export default defineBundle({', // 3
  "  name: 'x',", // 4
  "  /* env: { kind: 'none' }, */ env: { kind: 'none' },", // 5
  '  ...shared,', // 6
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text holds a template literal
  '  build: [[`echo ${"}"}, {`], [\'true\']],', // 7
  '  configs: [', // 8
  "    { template: 'a, {b}', target: 'a' },", // 9
  "    { 'template': 't', target: 'b', validate: 'apache' },", // 10
  '  ],', // 11
  '  health: { path: "/x" },', // 12
  '});', // 13
].join('\n');

describe('locateInBundleSource: where a key of the defineBundle literal is written', () => {
  test.each([
    [['name'], 4, 3],
    [['env'], 5, 32],
    [['env', 'kind'], 5, 39],
    [['build', 1], 7, 31],
    [['configs', 1, 'validate'], 10, 37],
    [['configs', 1, 'template'], 10, 7],
    [['health', 'path'], 12, 13],
    // not written (a default, or behind a spread): the deepest key that is
    [['health', 'port'], 12, 3],
    [['program'], 3, 29],
    [['configs', 5, 'target'], 8, 3],
  ] as const)('%j is at %i:%i', (path, line, column) => {
    expect(locateInBundleSource(SOURCE, path)).toEqual({ line, column });
  });

  test('a file without defineBundle or a default export literal has no position', () => {
    expect(locateInBundleSource('export default make();\n', ['name'])).toBeUndefined();
    expect(locateInBundleSource('const x = 1;\n', ['name'])).toBeUndefined();
  });
});

describe('mistakes in bundle.ts and task files name file:line:column and the key (exit 2)', () => {
  const load = async (text: string) => {
    const dir = await tempDir('ferry-def-pos-');
    await writeFile(`${dir}/bundle.ts`, text);
    return loadDefinition(`${dir}/bundle.ts`, FILE, 'x').catch((e: unknown) => e);
  };

  test('a wrong field type', async () => {
    const err = await load(
      "import { defineBundle } from 'ferry';\nexport default defineBundle({\n  name: 'x',\n" +
        "  env: { kind: 'none' },\n  keep: '3',\n});\n",
    );
    expect(err).toBeInstanceOf(ProjectError);
    expect((err as ProjectError).position).toEqual({ file: FILE, line: 5, column: 3 });
    expect((err as Error).message).toMatch(/^bundles\/x\/bundle\.ts:5:3: invalid bundle definition:\n {2}keep: /);
  });

  test('an unknown field, nested: the key itself', async () => {
    const err = await load(
      "import { defineBundle } from 'ferry';\nexport default defineBundle({\n  name: 'x',\n" +
        "  env: { kind: 'none' },\n  health: { path: '/x', bogus: 1 },\n});\n",
    );
    expect((err as ProjectError).position).toEqual({ file: FILE, line: 5, column: 25 });
    expect((err as Error).message).toContain('health.bogus: unknown key');
  });

  test('a config target used twice, and a name that is not the folder', async () => {
    const twice = await load(
      "export default {\n  name: 'x',\n  env: { kind: 'none' },\n  configs: [\n" +
        "    { template: 't', target: 'a' },\n    { template: 't', target: 'a' },\n  ],\n};\n",
    );
    expect((twice as ProjectError).position).toEqual({ file: FILE, line: 6, column: 22 });
    const name = await load("export default { env: { kind: 'none' },\n  name: 'y' };\n");
    expect((name as ProjectError).position).toEqual({ file: FILE, line: 2, column: 3 });
  });

  test('a syntax error in bundle.ts', async () => {
    const err = await load("export default {\n  name: 'x'\n  env: { kind: 'none' },\n};\n");
    expect((err as ProjectError).position).toEqual({ file: FILE, line: 3, column: 3 });
    expect((err as Error).message).toMatch(/^bundles\/x\/bundle\.ts:3:3: cannot load bundle definition: /);
  });

  test('a syntax error in a task file', async () => {
    const dir = await tempDir('ferry-task-pos-');
    await mkdir(`${dir}/tasks`);
    const task = "export default {\n  name: 'a',\n  description: 'b'\n  run() {},\n};\n";
    await writeFile(`${dir}/tasks/broken.ts`, task);
    const err = await loadTasks(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProjectError);
    const { position } = err as ProjectError;
    expect(position).toMatchObject({ line: 4, column: 3 });
    expect(position.file.endsWith('tasks/broken.ts')).toBe(true);
  });
});
