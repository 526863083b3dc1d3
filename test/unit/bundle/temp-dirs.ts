import { afterAll } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';

/** mkdtemp under the OS temp dir, removed after the test file's tests. Call at module level. */
export function tempDirs(): (prefix: string) => Promise<string> {
  const made: string[] = [];
  afterAll(async () => {
    for (const d of made) await rm(d, { recursive: true, force: true });
  });
  return async (prefix) => {
    const d = await mkdtemp(`${tmpdir()}/${prefix}`);
    made.push(d);
    return d;
  };
}
