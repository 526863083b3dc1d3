import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HostLog } from '../../../src/runner/host-log.js';
import { REPO } from '../../helpers/ferry-cli.js';
import { waitFor } from '../../helpers/wait-for.js';

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

  it('a line reaches the file soon without a close (tail -f), and on exit when the run never closed it', async () => {
    const d = await mkdtemp(join(tmpdir(), 'ferry-host-log-'));
    dir = d;
    const log = new HostLog(d, 'web2');
    log.line('live line');
    await waitFor(
      () => existsSync(join(d, 'web2.log')) && readFileSync(join(d, 'web2.log'), 'utf8').includes('live line'),
      {
        timeoutMs: 5_000,
        what: 'the line in the file',
      },
    );
    await log.close();
    const built = join(REPO, 'dist/src/runner/host-log.js');
    const script = `import(${JSON.stringify(built)}).then(({ HostLog }) => { new HostLog(${JSON.stringify(d)}, 'web3').line('last words'); process.exit(3); })`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(3);
    expect(readFileSync(join(d, 'web3.log'), 'utf8')).toMatch(/ last words\n$/);
  });

  it('one flush timer serves every log: lines of many hosts reach their files without a close', async () => {
    const d = await mkdtemp(join(tmpdir(), 'ferry-host-log-'));
    dir = d;
    const logs = ['a', 'b', 'c'].map((h) => new HostLog(d, h));
    for (const [i, log] of logs.entries()) log.line(`line ${i}`);
    logs[0]?.line('second line of a');
    const has = (h: string, text: string) =>
      existsSync(join(d, `${h}.log`)) && readFileSync(join(d, `${h}.log`), 'utf8').includes(text);
    await waitFor(() => has('a', 'second line of a') && has('b', 'line 1') && has('c', 'line 2'), {
      timeoutMs: 5_000,
      what: 'every host log written',
    });
    // a line after that flush starts the timer again
    logs[1]?.line('again');
    await waitFor(() => has('b', 'again'), { timeoutMs: 5_000, what: 'the later line' });
    for (const log of logs) await log.close();
  });

  it('a log that cannot be written (its folder is a file) warns once and drops its lines; the run goes on', async () => {
    const d = await mkdtemp(join(tmpdir(), 'ferry-host-log-'));
    dir = d;
    await writeFile(join(d, 'not-a-dir'), 'x');
    const said: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => said.push(String(chunk)) > 0) as typeof process.stderr.write;
    try {
      const log = new HostLog(join(d, 'not-a-dir', 'run'), 'web4');
      log.line('first');
      await log.close(); // flushes: the mkdir fails here
      log.line('after');
      await log.close();
    } finally {
      process.stderr.write = write;
    }
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/^ferry: warning: cannot write .*web4\.log: .*; its lines are dropped\n$/);
  });
});
