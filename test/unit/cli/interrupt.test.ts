import { afterEach, describe, expect, it } from 'vitest';
import { catchInterrupt } from '../../../src/cli/interrupt.js';

describe('catchInterrupt', () => {
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  afterEach(() => {
    process.removeListener('warning', onWarning);
    warnings.length = 0;
  });

  it('SIGINT aborts the signal once; a host per listener raises no leak warning', async () => {
    process.on('warning', onWarning);
    const i = catchInterrupt();
    let heard = 0;
    for (let n = 0; n < 50; n++) i.signal.addEventListener('abort', () => heard++, { once: true });
    const before = process.listenerCount('SIGINT');
    process.emit('SIGINT');
    expect(i.signal.aborted).toBe(true);
    expect(heard).toBe(50);
    // the second Ctrl-C would quit: its listener replaced the first one
    expect(process.listenerCount('SIGINT')).toBe(before);
    i.dispose();
    expect(process.listenerCount('SIGINT')).toBe(before - 1);
    await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
    expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
  });
});
