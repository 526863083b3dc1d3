import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createNotifier } from '../../../src/notify/notifier.js';
import type { NotifyConfig } from '../../../src/notify/types.js';
import { waitFor } from '../../helpers/wait-for.js';
import { SECRET, deployEnd, deployStart } from './fixture.js';

const servers: Array<{ close(): unknown }> = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const s of servers.splice(0)) await new Promise((r) => (s as Server).close(r));
});

const portOf = (s: { address(): unknown }) => (s.address() as AddressInfo).port;
async function listen<T extends Server | ReturnType<typeof createHttpServer>>(s: T): Promise<number> {
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return portOf(s);
}

/** Reads to the end of stream, then closes: what carbon's line receiver does. */
async function carbonLike(): Promise<{ port: number; received: string[] }> {
  const received: string[] = [];
  const s = createServer((c) => {
    let text = '';
    c.on('data', (d) => (text += d.toString()));
    c.on('end', () => {
      received.push(text);
      c.end();
    });
  });
  return { port: await listen(s), received };
}

/** Accepts and never reads nor closes: a hung Graphite. */
async function blackhole(): Promise<{ port: number; accepted: () => number }> {
  let n = 0;
  const s = createServer((c) => {
    n++;
    c.pause();
    sockets.push(c);
  });
  return { port: await listen(s), accepted: () => n };
}

async function receiver(answer?: number): Promise<{ url: string; bodies: unknown[] }> {
  const bodies: unknown[] = [];
  const s = createHttpServer((req: IncomingMessage, res) => {
    let text = '';
    req.on('data', (d) => (text += d.toString()));
    req.on('end', () => {
      bodies.push(JSON.parse(text));
      if (answer === undefined) return; // never answers
      res.writeHead(answer).end();
    });
  });
  s.keepAliveTimeout = 1;
  const port = await listen(s);
  return { url: `http://127.0.0.1:${port}/hook/t0ken-path`, bodies };
}

async function run(config: NotifyConfig, dryRun = false, ok = true) {
  const lines: string[] = [];
  const n = createNotifier(config, { dryRun, line: (t) => lines.push(t) });
  const t0 = performance.now();
  const r = n?.start(deployStart());
  const delivered = await r?.end(deployEnd(ok));
  return { lines, ms: performance.now() - t0, delivered };
}

describe('notifier', () => {
  it('sends start and end to carbon and to every webhook; no warning when all are delivered', async () => {
    const carbon = await carbonLike();
    const a = await receiver(200);
    const b = await receiver(204);
    const { lines, delivered } = await run(
      { graphite: { host: '127.0.0.1', port: carbon.port, prefix: 'p' }, webhooks: [a.url, b.url], timeoutMs: 2000 },
      false,
      false,
    );
    expect(lines).toEqual([]);
    // what the --json report's `notify` holds: each sink, its notes sent (no URL path)
    expect(delivered).toEqual([
      { to: `graphite 127.0.0.1:${carbon.port}`, sent: 2, failed: 0 },
      { to: `webhook http://127.0.0.1:${new URL(a.url).port}/…`, sent: 2, failed: 0 },
      { to: `webhook http://127.0.0.1:${new URL(b.url).port}/…`, sent: 2, failed: 0 },
    ]);
    expect(carbon.received).toHaveLength(2);
    expect(carbon.received.join('')).toMatch(/^p\.demo\.deploy\.started 1 \d+\n/m);
    expect(carbon.received.join('')).toMatch(/^p\.demo\.deploy\.host\.web1_dc1\.result 1 \d+$/m);
    for (const r of [a, b]) {
      expect(r.bodies.map((x) => (x as { event: string }).event).sort()).toEqual(['failure', 'start']);
      expect(JSON.stringify(r.bodies)).not.toContain(SECRET);
    }
  });

  it('graphite events: the start and end POSTed in graphite-web events API form', async () => {
    const carbon = await carbonLike();
    const events = await receiver(200);
    const graphite = { host: '127.0.0.1', port: carbon.port, prefix: 'p', events: events.url };
    const { lines } = await run({ graphite, webhooks: [], timeoutMs: 2000 });
    expect(lines).toEqual([]);
    expect(events.bodies).toEqual([
      expect.objectContaining({ what: 'ferry deploy demo v1.2.0 started', tags: expect.arrayContaining(['v1.2.0']) }),
      expect.objectContaining({ what: 'ferry deploy demo v1.2.0 finished', when: expect.any(Number) }),
    ]);
  });

  it('a closed port: the end resolves at once with exactly one warning line', async () => {
    const closed = await listen(createServer());
    await new Promise((r) => (servers.pop() as Server).close(r));
    const { lines, delivered } = await run({
      graphite: { host: '127.0.0.1', port: closed, prefix: 'p' },
      webhooks: [],
      timeoutMs: 2000,
    });
    expect(delivered).toEqual([
      { to: `graphite 127.0.0.1:${closed}`, sent: 0, failed: 2, error: expect.stringContaining('ECONNREFUSED') },
    ]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^ferry: warning: deploy notification not delivered to graphite 127\.0\.0\.1:\d+ \(.*ECONNREFUSED.*\); the deploy went on$/,
    );
  });

  it('a listener that accepts but never reads, and a webhook that never answers: bounded, one warning, no URL path shown', async () => {
    const hole = await blackhole();
    const hook = await receiver(undefined);
    const timeoutMs = 400;
    const { lines, ms } = await run({
      graphite: { host: '127.0.0.1', port: hole.port, prefix: 'p' },
      webhooks: [hook.url],
      timeoutMs,
    });
    expect(hole.accepted()).toBe(2); // control: it was reached, start and end
    expect(hook.bodies).toHaveLength(2);
    expect(ms).toBeGreaterThanOrEqual(timeoutMs - 20);
    expect(ms).toBeLessThan(timeoutMs + 1500);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`graphite 127.0.0.1:${hole.port} (no acknowledgement within 400 ms)`);
    expect(lines[0]).toContain(`webhook http://127.0.0.1:${new URL(hook.url).port}/… (no answer within 400 ms)`);
    expect(lines[0]).not.toContain('t0ken');
  });

  it('a webhook answering 500 is a failure, warned once for start and end together', async () => {
    const hook = await receiver(500);
    const { lines, delivered } = await run({ webhooks: [hook.url], timeoutMs: 2000 });
    expect(delivered).toMatchObject([{ sent: 0, failed: 2, error: 'HTTP 500' }]);
    await waitFor(() => hook.bodies.length === 2, { timeoutMs: 2000, what: 'both posts' });
    expect(lines).toEqual([expect.stringMatching(/webhook http:\/\/127\.0\.0\.1:\d+\/… \(HTTP 500\)/)]);
  });

  it('--dry-run sends nothing and prints what it would send', async () => {
    const carbon = await carbonLike();
    let connections = 0;
    (servers[0] as Server).on('connection', () => connections++);
    const hook = await receiver(200);
    const { lines, delivered } = await run(
      { graphite: { host: '127.0.0.1', port: carbon.port, prefix: 'p' }, webhooks: [hook.url], timeoutMs: 2000 },
      true,
    );
    expect(connections).toBe(0);
    expect(delivered).toEqual([]);
    expect(hook.bodies).toEqual([]);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(
      /^notify \(dry run, not sent\): graphite 127\.0\.0\.1:\d+ start: p\.demo\.deploy\.started 1 \d+$/,
    );
    expect(lines[3]).toMatch(
      /^notify \(dry run, not sent\): webhook http:\/\/127\.0\.0\.1:\d+\/… finish: \{"text":"ferry deploy demo/,
    );
  });

  it('nothing configured: no notifier', () => {
    expect(createNotifier({ webhooks: [], timeoutMs: 1 }, { dryRun: false, line: () => {} })).toBeUndefined();
  });
});
