import { describe, expect, it } from 'vitest';
import { httpHeadComplete, httpStatusOf } from '../../../src/ssh/http-probe.js';

describe('health probe response parsing', () => {
  it('the head is complete at the blank line, whatever the body', () => {
    expect(httpHeadComplete(Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n'))).toBe(false);
    expect(httpHeadComplete(Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n'))).toBe(true);
    expect(httpHeadComplete(Buffer.from('HTTP/1.0 503 Service Unavailable\r\n\r\nbusy'))).toBe(true);
    expect(httpHeadComplete(Buffer.from('HTTP/1.0 200 OK\n\n'))).toBe(true);
  });

  it.each([
    ['HTTP/1.1 200 OK\r\n\r\n', 200],
    ['HTTP/1.0 204 No Content\r\n\r\n', 204],
    ['HTTP/1.1 503 Service Unavailable\r\n\r\n', 503],
    ['HTTP/2 200\r\n\r\n', 200],
    ['SSH-2.0-OpenSSH_9.2\r\n', 0],
    ['', 0],
  ])('status of %j is %i', (text, status) => {
    expect(httpStatusOf(text)).toBe(status);
  });
});
