import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HostLog } from '../../../src/runner/host-log.js';

describe('a host log', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('takes lines until it is closed; a line after that (a command outliving its session) is dropped, not a crash', async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-host-log-'));
    const log = new HostLog(dir, 'web1');
    log.line('first');
    const errors: unknown[] = [];
    const keep = (e: unknown) => errors.push(e);
    process.on('uncaughtException', keep);
    const closed = log.close();
    log.line('late: relay serving ended'); // while the close is still flushing
    await closed;
    log.line('later still'); // and after
    await new Promise((r) => setImmediate(r));
    process.off('uncaughtException', keep);
    expect(errors).toEqual([]);
    const text = await readFile(join(dir, 'web1.log'), 'utf8');
    expect(text).toMatch(/ first\n$/);
  });
});
