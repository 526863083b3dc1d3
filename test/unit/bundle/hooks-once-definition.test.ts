import { writeFile } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import { loadDefinition, parseBundle } from '../../../src/bundle/index.js';
import { ProjectError } from '../../../src/errors/index.js';
import { tempDirs } from './temp-dirs.js';

const tempDir = tempDirs();
const FILE = 'bundles/x/bundle.ts';
const load = async (body: string) => {
  const dir = await tempDir('ferry-hooks-def-');
  const text = `export default {\n  name: 'x',\n  env: { kind: 'none' },\n${body}};\n`;
  await writeFile(`${dir}/bundle.ts`, text);
  return loadDefinition(`${dir}/bundle.ts`, FILE, 'x').catch((e: unknown) => e);
};

describe('hooks and once-steps in a bundle definition', () => {
  test('the JSON definition records the steps and which hooks exist; the functions come apart', async () => {
    const r = await load(
      "  roles: ['app', 'db'],\n  once: [{ name: 'migrate', role: 'db', run: ['bin/migrate', '--up'] }],\n" +
        '  hooks: { afterStage: async () => {}, onFailure: (ctx, err) => {} },\n',
    );
    if (r instanceof Error) throw r;
    const { definition, hooks } = r as Awaited<ReturnType<typeof loadDefinition>>;
    expect(definition.once).toEqual([{ name: 'migrate', role: 'db', run: ['bin/migrate', '--up'] }]);
    expect(definition.hooks).toEqual(['afterStage', 'onFailure']);
    expect(typeof hooks.afterStage).toBe('function');
    expect(hooks.beforeSwitch).toBeUndefined();
    // what the manifest saves is plain JSON: no function is lost silently
    expect(JSON.parse(JSON.stringify(definition))).toEqual(definition);
  });

  test('a bundle without them keeps its definition JSON as before (no new keys: ids stay)', () => {
    const { definition, hooks } = parseBundle({ name: 'x', env: { kind: 'none' } }, FILE);
    expect(Object.keys(definition)).not.toContain('once');
    expect(Object.keys(definition)).not.toContain('hooks');
    expect(hooks).toEqual({});
  });

  test("a once-step's unknown role names file:line:column and the key", async () => {
    const err = await load("  once: [\n    { name: 'migrate', role: 'web', run: ['true'] },\n  ],\n");
    expect(err).toBeInstanceOf(ProjectError);
    expect((err as ProjectError).position).toEqual({ file: FILE, line: 5, column: 24 });
    expect((err as Error).message).toContain("once.0.role: unknown role 'web' (the bundle's roles: app)");
  });

  test('a step name used twice, an empty argv, a hook that is not a function, an unknown hook', async () => {
    const twice = await load(
      "  once: [{ name: 'm', role: 'app', run: ['a'] }, { name: 'm', role: 'app', run: ['b'] }],\n",
    );
    expect((twice as Error).message).toContain("once.1.name: 'm' is used twice");
    const empty = await load("  once: [{ name: 'm', role: 'app', run: [] }],\n");
    expect((empty as Error).message).toContain('once.0.run: must be a non-empty argv array');
    const notFn = await load("  hooks: { beforeSwitch: 'echo hi' },\n");
    expect((notFn as ProjectError).position).toMatchObject({ file: FILE, line: 4 });
    expect((notFn as Error).message).toContain('hooks.beforeSwitch: must be a function');
    const unknown = await load('  hooks: { beforeDeploy: () => {} },\n');
    expect((unknown as Error).message).toContain('hooks.beforeDeploy: unknown key');
  });
});
