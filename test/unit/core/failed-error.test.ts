import { describe, expect, it } from 'vitest';
import { FailedError } from '../../../src/errors/index.js';

describe('FailedError', () => {
  it('names its host once, as ConnectionError does', () => {
    expect(new FailedError('health gate failed', 'web1').message).toBe('[web1] health gate failed');
    // wrapping a message that already names the host does not repeat it
    const inner = new FailedError('health gate failed', 'web1');
    expect(new FailedError(`${inner.message}; reverting failed too`, 'web1').message).toBe(
      '[web1] health gate failed; reverting failed too',
    );
    expect(new FailedError('no host here').message).toBe('no host here');
    expect(new FailedError('x', 'web1').host).toBe('web1');
  });
});
