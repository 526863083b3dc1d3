import { connect, createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { backoffMs, CONNECT_TRIES, isTransient, withConnectRetries } from '../../../src/ssh/connect-retry.js';
import { ConnectionError } from '../../../src/errors/connection-error.js';
import { HostKeyError } from '../../../src/errors/index.js';

const ssh2Error = (message: string, more: { level?: string; code?: string }) => Object.assign(new Error(message), more);
const failed = (cause: Error, host = 'web1') =>
  new ConnectionError(host, `cannot connect: ${cause.message}`, { cause });

describe('which connect failures are retried', () => {
  it.each([
    [
      'refused (sshd restarting)',
      ssh2Error('connect ECONNREFUSED 10.0.0.1:22', { level: 'client-socket', code: 'ECONNREFUSED' }),
    ],
    ['reset', ssh2Error('read ECONNRESET', { level: 'client-socket', code: 'ECONNRESET' })],
    ['no banner in time', ssh2Error('Timed out while waiting for handshake', { level: 'client-timeout' })],
    ['closed before the banner (MaxStartups)', ssh2Error('Connection lost before handshake', { level: 'protocol' })],
  ])('retried: %s', (_what, cause) => expect(isTransient(failed(cause), 'web1')).toBe(true));

  it.each([
    [
      'authentication refused',
      ssh2Error('All configured authentication methods failed', { level: 'client-authentication' }),
    ],
    ['unknown name', ssh2Error('getaddrinfo ENOTFOUND nohost', { level: 'client-dns', code: 'ENOTFOUND' })],
    ['no credentials (no cause)', undefined],
  ])('not retried: %s', (_what, cause) =>
    expect(isTransient(cause ? failed(cause) : new ConnectionError('web1', 'no credentials'), 'web1')).toBe(false),
  );

  it('not retried: a host-key refusal, or a jump host that failed (its own connect retried already)', () => {
    expect(isTransient(new HostKeyError('web1', 'host key changed', 'AAAA'), 'web1')).toBe(false);
    const jump = failed(ssh2Error('connect ECONNREFUSED', { level: 'client-socket', code: 'ECONNREFUSED' }), 'bastion');
    expect(isTransient(jump, 'web1')).toBe(false);
  });

  it('backs off exponentially, jittered ±50%', () => {
    expect(backoffMs(1, () => 0)).toBe(250);
    expect(backoffMs(1, () => 0.999)).toBeLessThanOrEqual(750);
    expect(backoffMs(2, () => 0.5)).toBe(1000);
  });
});

describe('withConnectRetries against a real socket', () => {
  const refusing = () => ssh2Error('connect ECONNREFUSED', { level: 'client-socket', code: 'ECONNREFUSED' });

  it('gets through on a later try and says how many retries it took', async () => {
    let calls = 0;
    const got = await withConnectRetries('web1', async () => {
      calls += 1;
      if (calls < 3) throw failed(refusing());
      return { retries: -1 };
    });
    expect(calls).toBe(3);
    expect(got.retries).toBe(2);
  });

  it(`stops after ${CONNECT_TRIES} tries; the error says so and counts the retries`, async () => {
    // a port nothing listens on: a real ECONNREFUSED each time
    const server: Server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((r) => server.close(() => r()));
    let calls = 0;
    const attempt = () =>
      new Promise<{ retries: number }>((_ok, reject) => {
        calls += 1;
        const s = connect(port, '127.0.0.1');
        s.on('error', (e: Error & { code?: string }) => reject(failed(Object.assign(e, { level: 'client-socket' }))));
      });
    const err = await withConnectRetries('web1', attempt).catch((e: unknown) => e);
    expect(calls).toBe(CONNECT_TRIES);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as ConnectionError).retries).toBe(CONNECT_TRIES - 1);
    expect((err as Error).message).toMatch(/^\[web1\] cannot connect: .*ECONNREFUSED.* \(after 3 tries\)$/);
  });

  it('an authentication failure is thrown at once', async () => {
    let calls = 0;
    const auth = ssh2Error('All configured authentication methods failed', { level: 'client-authentication' });
    await expect(
      withConnectRetries('web1', async () => {
        calls += 1;
        throw failed(auth);
      }),
    ).rejects.toThrow(/authentication methods failed$/);
    expect(calls).toBe(1);
  });
});
