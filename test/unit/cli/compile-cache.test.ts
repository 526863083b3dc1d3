// The Node 20 compile cache (src/cli/compile-cache.ts) in a real node process: cached code is
// reused, never stale, and never read from a folder others can write to.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO } from '../../helpers/ferry-cli.js';

const MODULE = `${REPO}dist/src/cli/compile-cache.js`;

function run(root: string, cacheHome: string): string {
  const script = `import { enableCompileCache } from ${JSON.stringify(MODULE)};
import { createRequire } from 'node:module';
enableCompileCache(${JSON.stringify(root)});
console.log(createRequire(import.meta.url)(${JSON.stringify(join(root, 'mod.cjs'))}).value);`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, XDG_CACHE_HOME: cacheHome, FERRY_NO_COMPILE_CACHE: '' },
    encoding: 'utf8',
  });
  expect(r.stderr).toBe('');
  return r.stdout.trim();
}

describe('compile cache (Node 20 path)', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const setup = () => {
    const d = mkdtempSync(join(tmpdir(), 'ferry-cc-'));
    dirs.push(d);
    const root = join(d, 'root');
    mkdirSync(root);
    return { root, cacheHome: join(d, 'cache') };
  };
  const entries = (cacheHome: string) =>
    readdirSync(cacheHome, { recursive: true }).filter((f) => String(f).endsWith('.bin'));
  // Node ≥ 22.1
  const nodeHasOwn = typeof (Module as { enableCompileCache?: unknown }).enableCompileCache === 'function';

  it.skipIf(nodeHasOwn)('caches a module, reuses it, and a same-length edit is never served stale', () => {
    const { root, cacheHome } = setup();
    writeFileSync(join(root, 'mod.cjs'), 'exports.value = "one";\n');
    expect(run(root, cacheHome)).toBe('one');
    expect(entries(cacheHome)).toHaveLength(1);
    expect(run(root, cacheHome)).toBe('one'); // from the cache
    writeFileSync(join(root, 'mod.cjs'), 'exports.value = "two";\n'); // same length: V8 alone would not notice
    expect(run(root, cacheHome)).toBe('two');
    expect(entries(cacheHome)).toHaveLength(1); // the old entry was replaced, not kept
  });

  it('a module that can call import() still can', () => {
    const { root, cacheHome } = setup();
    writeFileSync(join(root, 'mod.cjs'), 'exports.value = "x"; exports.load = () => import("node:os");\n');
    expect(run(root, cacheHome)).toBe('x');
    const script = `import { enableCompileCache } from ${JSON.stringify(MODULE)};
import { createRequire } from 'node:module';
enableCompileCache(${JSON.stringify(root)});
const m = createRequire(import.meta.url)(${JSON.stringify(join(root, 'mod.cjs'))});
console.log(typeof (await m.load()).cpus);`;
    for (let i = 0; i < 2; i++) {
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        env: { ...process.env, XDG_CACHE_HOME: cacheHome },
        encoding: 'utf8',
      });
      expect(r.stdout.trim()).toBe('function');
    }
  });

  it('never uses a cache folder that others can write to', () => {
    const { root, cacheHome } = setup();
    mkdirSync(join(cacheHome, 'ferry', `v8-${process.version}`), { recursive: true });
    chmodSync(join(cacheHome, 'ferry', `v8-${process.version}`), 0o777);
    writeFileSync(join(root, 'mod.cjs'), 'exports.value = "one";\n');
    expect(run(root, cacheHome)).toBe('one');
    expect(entries(cacheHome)).toHaveLength(0);
  });
});
