import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FailedError, LocalCommandError, UsageError } from '../../../src/errors/index.js';
import { runLocal } from '../../../src/runner/run-local.js';

/** Reads a stream to its end, counting bytes. */
async function count(stream: Readable): Promise<number> {
  let n = 0;
  for await (const chunk of stream) n += (chunk as Buffer).length;
  return n;
}

describe('runLocal', () => {
  it('collects stdout and stderr of a real command', async () => {
    const r = await runLocal('echo', ['sh', '-c', 'echo out; echo err >&2']);
    expect(r).toEqual({ code: 0, stdout: 'out\n', stderr: 'err\n' });
  });

  it('a nonzero exit is a LocalCommandError carrying argv, exit code and the stderr tail', async () => {
    const argv = ['sh', '-c', 'echo nope >&2; exit 3'];
    const e = await runLocal('try it', argv).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LocalCommandError);
    expect(e).toBeInstanceOf(FailedError);
    const l = e as LocalCommandError;
    expect(l.message).toMatch(/^try it: `sh -c .*` failed \(exit 3\):\nnope$/);
    expect(l).toMatchObject({ argv, exitCode: 3, stderr: 'nope' });
  });

  it('allowFailure resolves with the code', async () => {
    await expect(runLocal('x', ['sh', '-c', 'exit 5'], { allowFailure: true })).resolves.toMatchObject({ code: 5 });
  });

  it('a missing program is a FailedError naming the step', async () => {
    await expect(runLocal('find it', ['/nonexistent/ferry-no-such-program'])).rejects.toThrow(/^find it: cannot run/);
  });

  it('an empty argv is a usage error', async () => {
    await expect(runLocal('nothing', [])).rejects.toBeInstanceOf(UsageError);
  });

  it('streams stdout into a consumer instead of collecting it', async () => {
    let bytes = 0;
    const r = await runLocal('stream', ['sh', '-c', 'head -c 3000000 /dev/zero'], {
      keep: 10,
      stdout: async (s) => {
        bytes = await count(s);
      },
    });
    expect(bytes).toBe(3_000_000);
    expect(r.stdout).toBe('');
  });

  it('a consumer that gives up kills the command and its error is reported', async () => {
    // `yes` never ends by itself: the run only settles because the command was killed
    const e = await runLocal('stream', ['yes'], {
      stdout: async (s) => {
        for await (const _ of s) throw new Error('disk full');
      },
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(FailedError);
    expect(e).not.toBeInstanceOf(LocalCommandError);
    expect((e as Error).message).toBe('stream: reading the output of `yes` failed: disk full');
  });

  it('a command that fails on its own is reported as such even when streaming', async () => {
    const argv = ['sh', '-c', 'echo partial; echo broken >&2; exit 128'];
    const e = await runLocal('stream', argv, { stdout: async (s) => void (await count(s)) }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LocalCommandError);
    expect(e).toMatchObject({ exitCode: 128, stderr: 'broken' });
  });
});
