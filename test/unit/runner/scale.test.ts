import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../../src/errors/index.js';
import { checkFdLimit, openFilesLimit } from '../../../src/runner/fd-limit.js';
import { failedHostsOf } from '../../../src/runner/only-failed.js';
import { runWithSummary } from '../../../src/runner/summary-progress.js';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            1024                 4096                 files
Max locked memory         8388608              8388608              bytes
`;

describe('file-descriptor limit, checked before connecting', () => {
  it('reads soft and hard from /proc/self/limits text, and this process’s own', () => {
    expect(openFilesLimit(LIMITS)).toEqual({ soft: 1024, hard: 4096 });
    expect(openFilesLimit(LIMITS.replace('1024 ', 'unlimited'))?.soft).toBe(Number.POSITIVE_INFINITY);
    expect(openFilesLimit()?.soft).toBeGreaterThan(0);
  });

  it('past the limit: a UsageError naming the need, the limit and what to lower', () => {
    const limits = { soft: 1024, hard: 1024 };
    const f = () => checkFdLimit(600, 'parallel', limits);
    expect(f).toThrow(UsageError);
    expect(f).toThrow(
      /-j 600 needs about 1264 open files .* may open 1024 \(ulimit -n; hard limit 1024\): lower -j to 480/,
    );
    expect(() => checkFdLimit(900, 'hosts', limits)).toThrow(/900 hosts .* --shard the hosts \(≤ 480 per run\)/);
    expect(() => checkFdLimit(480, 'parallel', limits)).not.toThrow();
  });
});

describe('--only-failed REPORT', () => {
  const write = async (o: unknown) => {
    const f = join(await mkdtemp(join(tmpdir(), 'ferry-of-')), 'r.json');
    await writeFile(f, JSON.stringify(o));
    return f;
  };
  const hosts = [
    { host: 'a', status: 'ok' },
    { host: 'b', status: 'failed' },
    { host: 'c', status: 'unreachable' },
    { host: 'd', status: 'untouched' },
    { host: 'e', status: 'skipped' },
  ];

  it('the hosts marked failed or unreachable, nothing else', async () => {
    expect(await failedHostsOf(await write({ hosts }), undefined)).toEqual(['b', 'c']);
  });

  it('refuses a report of another stage, one with no failure, and a non-report', async () => {
    await expect(failedHostsOf(await write({ stage: 'prod', hosts }), undefined)).rejects.toThrow(/stage prod/);
    await expect(failedHostsOf(await write({ hosts }), 'prod')).rejects.toThrow(/no --stage, this run of stage prod/);
    await expect(failedHostsOf(await write({ hosts: hosts.slice(0, 1) }), undefined)).rejects.toThrow(
      /nothing to rerun/,
    );
    await expect(failedHostsOf(await write([1, 2]), undefined)).rejects.toThrow(/not a ferry --json report/);
    await expect(failedHostsOf('/nonexistent/r.json', undefined)).rejects.toThrow(/ENOENT/);
  });
});

describe('progress above 50 hosts: counts and the failing hosts', () => {
  it('one line per failure and per logged output, a counts line at the end, no per-host progress', async () => {
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => {
      out.push(String(c));
      return true;
    });
    let running = 0;
    let most = 0;
    const jobs = Array.from({ length: 120 }, (_, i) => ({
      name: `h${i + 1}`,
      async run(ui: { title(t: string): void; log(t: string): void }) {
        running += 1;
        most = Math.max(most, running);
        ui.title('lock + probe');
        await new Promise((r) => setImmediate(r));
        running -= 1;
        if (i % 40 === 7) throw new Error(`[h${i + 1}] exit 3: no space left`);
        if (i === 0) ui.log('hello');
      },
    }));
    try {
      await runWithSummary(jobs, { tty: false, toStderr: false, concurrency: 16 });
    } finally {
      spy.mockRestore();
    }
    const text = out.join('');
    expect(text.split('\n').filter((l) => l.includes('FAILED'))).toEqual([
      '[h8] FAILED: exit 3: no space left',
      '[h48] FAILED: exit 3: no space left',
      '[h88] FAILED: exit 3: no space left',
    ]);
    expect(text).toContain('[h1] hello\n');
    expect(text).not.toContain('lock + probe');
    expect(text.trimEnd().split('\n').pop()).toBe('120/120 done: 117 ok, 3 failed, 0 running');
    expect(most).toBe(16);
  });
});
