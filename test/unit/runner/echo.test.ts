import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createEcho } from '../../../src/runner/echo.js';

function sink() {
  const writes: { to: 'out' | 'err'; text: string }[] = [];
  return {
    writes,
    out: {
      toStdout: (text: string) => writes.push({ to: 'out', text }),
      toStderr: (text: string) => writes.push({ to: 'err', text }),
    },
  };
}

describe('createEcho', () => {
  it('without a TTY: the lines of one tick are one write each stream, [host] prefixed, whole lines', async () => {
    const s = sink();
    const echo = createEcho(s.out, false, () => undefined, []);
    echo.line('web1', 'a', 'stdout');
    echo.line('web2', 'b', 'stdout');
    echo.line('web1', 'oops', 'stderr');
    expect(s.writes).toEqual([]);
    await Promise.resolve();
    expect(s.writes).toEqual([
      { to: 'out', text: '[web1] a\n[web2] b\n' },
      { to: 'err', text: '[web1] oops\n' },
    ]);
  });

  it('on a TTY: the task list is erased, the lines written, the list redrawn', () => {
    const s = sink();
    const calls: string[] = [];
    const renderer = { updater: { clear: () => calls.push('clear') }, update: () => calls.push('update') };
    const echo = createEcho(s.out, true, () => renderer, []);
    echo.line('web1', 'x', 'stdout');
    echo.flush();
    expect(calls).toEqual(['clear', 'update']);
    expect(s.writes).toEqual([{ to: 'out', text: '[web1] x\n' }]);
    echo.flush(); // nothing waits: no redraw
    expect(calls).toHaveLength(2);
  });

  it('behind: a promise while a stream holds more than 1 MiB unwritten, settled by its drain', async () => {
    const slow = new PassThrough({ highWaterMark: 16 });
    const echo = createEcho(sink().out, false, () => undefined, [slow as unknown as NodeJS.WriteStream]);
    expect(echo.behind()).toBeUndefined();
    slow.write(Buffer.alloc(2 * 1024 * 1024));
    const wait = echo.behind();
    expect(wait).toBeInstanceOf(Promise);
    slow.resume(); // the reader catches up
    await wait;
  });
});
