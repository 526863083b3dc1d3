import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startLoad } from './load.js';
import { versionOf } from './version.js';
import { assertLoopbackUrl } from './loopback.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()?.();
});

/** A tiny server on 127.0.0.1; `handler` decides each answer. Counts the requests it saw. */
async function serve(
  handler: (n: number, res: http.ServerResponse) => void,
): Promise<{ url: string; seen: () => number }> {
  let n = 0;
  const server = http.createServer((_req, res) => handler(++n, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, seen: () => n };
}

describe('versionOf', () => {
  it.each([
    ['{"name":"demo","version":"1.4.2","pid":12}\n', '1.4.2'],
    ['{"version":"v2.0.0-rc.1"}', 'v2.0.0-rc.1'],
    ['hello from v1.2.3 on web1\n', 'v1.2.3'],
    ['{"broken json v0.9.1', 'v0.9.1'],
    ['ok\n', undefined],
    ['{"version":""}', undefined],
  ])('%j → %s', (body, v) => {
    expect(versionOf(body)).toBe(v);
  });
});

describe('startLoad', () => {
  it('stops by itself at maxRequests and tallies versions', async () => {
    const s = await serve((n, res) => res.end(JSON.stringify({ version: n % 2 ? '1.0.0' : '1.1.0' })));
    const load = startLoad({ url: s.url, rps: 500, maxRequests: 40, maxMs: 30_000 });
    const r = await load.done;
    expect(r.sent).toBe(40);
    expect(r.ok).toBe(40);
    expect(r.failed).toBe(0);
    expect(r.versions).toEqual({ '1.0.0': 20, '1.1.0': 20 });
    expect(s.seen()).toBe(40);
    expect(await load.stop()).toBe(r); // idempotent
  });

  it('stops by itself at maxMs, never exceeding the schedule', async () => {
    const s = await serve((_n, res) => res.end('v3.0.0'));
    const r = await startLoad({ url: s.url, rps: 50, maxRequests: 1_000_000, maxMs: 200 }).done;
    expect(r.sent).toBeGreaterThan(0);
    expect(r.sent).toBeLessThanOrEqual(Math.floor((200 * 50) / 1000) + 1);
    expect(r.ok).toBe(r.sent);
    expect(r.versions).toEqual({ 'v3.0.0': r.sent });
  });

  it('counts a 503 as a failure with its status', async () => {
    const s = await serve((n, res) => {
      res.statusCode = n === 3 ? 503 : 200;
      res.end('{"version":"1.0.0"}');
    });
    const r = await startLoad({ url: s.url, rps: 500, maxRequests: 5, maxMs: 30_000 }).done;
    expect(r).toMatchObject({ sent: 5, ok: 4, failed: 1, versions: { '1.0.0': 4 } });
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]?.status).toBe(503);
  });

  it('counts a refused connection as a failure', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const r = await startLoad({ url: `http://127.0.0.1:${port}/`, rps: 500, maxRequests: 3, maxMs: 30_000 }).done;
    expect(r).toMatchObject({ sent: 3, ok: 0, failed: 3, versions: {} });
    expect(r.errors.map((e) => e.error)).toEqual(['ECONNREFUSED', 'ECONNREFUSED', 'ECONNREFUSED']);
  });

  it('counts a request timeout as a failure', async () => {
    const s = await serve((n, res) => {
      if (n === 1) return; // never answers
      res.end('v1.0.0');
    });
    const r = await startLoad({ url: s.url, rps: 500, maxRequests: 2, maxMs: 30_000, requestTimeoutMs: 300 }).done;
    expect(r).toMatchObject({ sent: 2, ok: 1, failed: 1 });
    expect(r.errors[0]?.error).toBe('timeout');
  });

  it('stop() ends the load early and waits for requests in flight', async () => {
    const s = await serve((_n, res) => setTimeout(() => res.end('v1.0.0'), 50));
    const load = startLoad({ url: s.url, rps: 100, maxRequests: 1_000_000, maxMs: 60_000 });
    await new Promise((r) => setTimeout(r, 150));
    const r = await load.stop();
    expect(r.sent).toBeGreaterThan(0);
    expect(r.sent).toBeLessThan(1_000_000);
    expect(r.ok + r.failed).toBe(r.sent);
    expect(r.failed).toBe(0);
    const after = s.seen();
    await new Promise((res) => setTimeout(res, 100));
    expect(s.seen()).toBe(after); // nothing started after stop()
    expect(await load.done).toBe(r);
  });

  it('retries once when the server drops a reused keep-alive connection before answering', async () => {
    // raw server: answers the first request on each connection (keep-alive), destroys the connection
    // when a second request arrives on it: the client's stale-socket race, made deterministic
    const server = net.createServer((sock) => {
      let requests = 0;
      let buf = '';
      sock.on('data', (d) => {
        buf += d.toString('latin1');
        while (buf.includes('\r\n\r\n')) {
          buf = buf.slice(buf.indexOf('\r\n\r\n') + 4);
          requests++;
          if (requests === 1)
            sock.write('HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: keep-alive\r\n\r\nv1.0.0');
          else sock.destroy();
        }
      });
      sock.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise<void>((r) => server.close(() => r())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const r = await startLoad({ url, rps: 20, maxRequests: 4, maxMs: 30_000 }).done;
    expect(r.errors).toEqual([]);
    expect(r).toMatchObject({ sent: 4, ok: 4, failed: 0, versions: { 'v1.0.0': 4 } });
    expect(r.staleRetries).toBeGreaterThan(0);
  });

  it('refuses anything but loopback http', () => {
    expect(() => assertLoopbackUrl('http://10.0.0.1/')).toThrow(/127.0.0.0\/8/);
    expect(() => assertLoopbackUrl('http://localhost/')).toThrow();
    expect(() => assertLoopbackUrl('http://127.0.0.300/')).toThrow();
    expect(() => assertLoopbackUrl('https://127.0.0.1/')).toThrow();
    expect(assertLoopbackUrl('http://127.1.2.3:8080/x').port).toBe('8080');
    expect(() => startLoad({ url: 'http://127.0.0.1:1/', rps: 0, maxRequests: 1, maxMs: 1 })).toThrow();
  });
});
