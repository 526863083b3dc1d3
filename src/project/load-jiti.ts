import { createRequire } from 'node:module';

/**
 * jiti, loaded on first need with `require` rather than `import()`: the CLI bundle is CommonJS
 * whose compiled code is cached (cli/compile-cache.ts), and on Node 20 a script restored from
 * V8's code cache cannot run `import()`.
 */
export function loadJiti(): typeof import('jiti') {
  return createRequire(import.meta.url)('jiti') as typeof import('jiti');
}
