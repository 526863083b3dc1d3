import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ferry } from '../helpers/ferry-cli.js';

/** Which bundled libraries a ferry process loaded: the bundle marks each inlined module's source. */
async function librariesLoaded(cwd: string, cache: string): Promise<Set<string>> {
  const list = join(cwd, 'loaded.txt');
  const preload = join(cwd, 'preload.cjs');
  await writeFile(
    preload,
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(list)}, Object.keys(require.cache).join('\\n')));\n`,
  );
  const r = await ferry(['--hosts', 'h1', '--dry-run', 'run', '--', 'true'], {
    cwd,
    env: { NODE_OPTIONS: `--require ${preload}`, XDG_CACHE_HOME: cache },
  });
  expect(r.code, r.stderr).toBe(0);
  const libs = new Set<string>();
  for (const file of (await readFile(list, 'utf8')).split('\n')) {
    if (!file.endsWith('.cjs')) continue;
    for (const m of (await readFile(file, 'utf8')).matchAll(/^\/\/ node_modules\/((?:@[^/]+\/)?[^/]+)\//gm)) {
      if (m[1]) libs.add(m[1]);
    }
  }
  return libs;
}

describe('what a short command loads', () => {
  it('no YAML parser and no zod once the inventory is cached and there is no ferry.yaml; both with a ferry.yaml', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-loads-'));
    const cache = join(dir, 'cache');
    await writeFile(join(dir, 'inventory.yaml'), 'hosts:\n  h1: { address: 127.0.0.1, port: 1, roles: [app] }\n');
    // the first run parses the inventory (YAML, zod) and caches the result
    const first = await librariesLoaded(dir, cache);
    expect(first).toContain('yaml');
    expect(first).toContain('zod');
    const cached = await librariesLoaded(dir, cache);
    expect(cached).not.toContain('yaml');
    expect(cached).not.toContain('zod');
    // control: a ferry.yaml is parsed, with both
    await writeFile(join(dir, 'ferry.yaml'), 'parallel: 4\n');
    const withSettings = await librariesLoaded(dir, cache);
    expect(withSettings).toContain('yaml');
    expect(withSettings).toContain('zod');
  });
});

/** Whether a ferry process ran Node's CommonJS export lexer (the ESM loader's, for `import()` of a .cjs). */
async function lexerRan(cwd: string, args: readonly string[]): Promise<boolean> {
  const list = join(cwd, 'builtins.txt');
  const preload = join(cwd, 'builtins.cjs');
  await writeFile(
    preload,
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(list)}, process.moduleLoadList.join('\\n')));\n`,
  );
  const r = await ferry(args, {
    cwd,
    env: { NODE_OPTIONS: `--require ${preload}`, XDG_CACHE_HOME: join(cwd, 'cache') },
  });
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toContain('planned');
  return (await readFile(list, 'utf8')).split('\n').includes('NativeModule internal/deps/cjs-module-lexer/lexer');
}

describe('how a project file gets ferry', () => {
  const task = (extra: string) =>
    `import { defineTask, z } from 'ferry';\n${extra}\n` +
    "export default defineTask({ name: 'hi', description: 'x', params: z.object({}), async run(ctx) { await ctx.run(['true']); } });\n";

  it("`import … from 'ferry'` is the CLI's own entry, required: no ESM export lexer over it", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-own-'));
    await mkdir(join(dir, 'tasks'));
    await writeFile(join(dir, 'inventory.yaml'), 'hosts:\n  h1: { address: 127.0.0.1, port: 1, roles: [app] }\n');
    await writeFile(join(dir, 'tasks', 'hi.ts'), task(''));
    expect(await lexerRan(dir, ['--hosts', 'h1', '--dry-run', 'hi'])).toBe(false);
    // control: a CommonJS file the task imports itself goes through import(), and the lexer shows
    await writeFile(join(dir, 'helper.cjs'), 'exports.x = 1;\n');
    await writeFile(join(dir, 'tasks', 'hi.ts'), task("import { x } from '../helper.cjs';\nvoid x;"));
    expect(await lexerRan(dir, ['--hosts', 'h1', '--dry-run', 'hi'])).toBe(true);
  });
});
