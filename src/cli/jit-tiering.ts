import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';

/**
 * Node's own modules that ferry's commands load (a `run` loads all of them). They are required
 * before the flag is set: V8 rejects code cached under other flags, Node's embedded cache of its
 * modules included, and compiling them from source would cost a 1-host run ~12 ms.
 */
export const PRELOADED_BUILTINS = [
  'assert',
  'child_process',
  'crypto',
  'dgram',
  'diagnostics_channel',
  'dns',
  'fs/promises',
  'http',
  'https',
  'module',
  'net',
  'os',
  'perf_hooks',
  'process',
  'readline/promises',
  'stream',
  'stream/promises',
  'string_decoder',
  'timers/promises',
  'tls',
  'tty',
  'vm',
  'zlib',
] as const;

/**
 * Node 20's V8 (11.x) hands a function to TurboFan once it has run ~66 KB of bytecode, so in a
 * fan-out every per-host function of ferry, node-ssh and ssh2 crosses it early, and the optimizing
 * compiler spends a core on code that then runs a few hundred more times. V8 12+ (Node 22, 24)
 * waits for ~3,000 calls instead, and has no such flag. 4× the budget is about that.
 */
export function tieringFlags(v8Version: string): string | undefined {
  return Number(v8Version.split('.')[0]) === 11 ? '--interrupt-budget=270336' : undefined;
}

/**
 * Called first thing by the `ferry` command (never by the library: a process's flags are its
 * owner's), before any of ferry's code is compiled, so the compile cache is written and read under
 * the same flags.
 */
export function tierUpLater(): void {
  const flags = tieringFlags(process.versions.v8);
  if (!flags) return;
  const require = createRequire(import.meta.url);
  for (const name of PRELOADED_BUILTINS) require(`node:${name}`);
  setFlagsFromString(flags);
}
