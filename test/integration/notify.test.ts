import { readFileSync, readlinkSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../fleet/fleet.js';
import { ferry, fleetFlags } from '../helpers/ferry-cli.js';
import { waitFor } from '../helpers/wait-for.js';
import { fleetSkipReason } from '../helpers/skip.js';
import { makeDemoProject, DEMO_ATTRS, type DemoProject } from '../helpers/demo-project.js';
import { CARBON_CACHE, WHISPER_FETCH, freePort, startCarbon, type Carbon } from '../helpers/carbon.js';
import { existsSync } from 'node:fs';

const skip =
  fleetSkipReason() ?? (existsSync(CARBON_CACHE) && existsSync(WHISPER_FETCH) ? undefined : 'no graphite-carbon');

/** Set with --set and rendered into the program's environment on every host; must reach no notification. */
const SECRET = 'tok-7c1e9a44-notify-must-not-see';

interface Payload {
  event: string;
  action: string;
  bundle: string;
  tag: string | null;
  id: string | null;
  who: string;
  stage: string | null;
  result: string | null;
  durationMs: number | null;
  text: string;
  hosts: Array<{ name: string; result: string | null; to: string | null }>;
}

describe.skipIf(skip)('deploy notifications: a real carbon-cache and a webhook receiver', () => {
  let fleet: Fleet;
  let proj: DemoProject;
  let flags: string[];
  let carbon: Carbon;
  let hooks: HttpServer;
  let hookUrl: string;
  const bodies: string[] = [];
  const payloads = () => bodies.map((b) => JSON.parse(b) as Payload);
  const run = (...args: string[]) =>
    ferry(['--project', proj.dir, ...flags, '--set', `api_token=${SECRET}`, ...args], { timeoutMs: 240_000 });
  const settings = (notify: object | undefined) =>
    writeFile(join(proj.dir, 'ferry.yaml'), notify ? `${JSON.stringify({ notify })}\n` : '');
  const graphite = (port: number) => ({ host: '127.0.0.1', port, prefix: 'ferry.it' });
  const warnings = (stderr: string) => stderr.split('\n').filter((l) => /warning/i.test(l));
  const current = (i: number) => readlinkSync(join(fleet.hosts[i]!.root, 'srv/demo/current')).replace('releases/', '');
  /** the points of a metric once it has `n` of them */
  const points = (path: string, n = 1) =>
    waitFor(async () => ((await carbon.points(path)).length >= n ? carbon.points(path) : undefined), {
      timeoutMs: 30_000,
      what: `carbon to store ${path}`,
    });
  const last = async (path: string, n = 1) => (await points(path, n)).at(-1)?.[1];

  beforeAll(async () => {
    fleet = await startFleet({
      hosts: [
        { name: 'web1.dc1', roles: ['app'] },
        { name: 'h2', roles: ['app'] },
      ],
      extraInventory: { defaults: DEMO_ATTRS },
    });
    proj = await makeDemoProject(readFileSync(fleet.inventoryFile, 'utf8'));
    flags = [...fleetFlags({ ...fleet, inventoryFile: join(proj.dir, 'inventory.yaml') }), '--roles', 'app'];
    const tpl = join(proj.dir, 'bundles/demo/templates/supervisor.conf.liquid');
    await writeFile(
      tpl,
      (await readFile(tpl, 'utf8')).replace(
        'NODE_ENV="production"',
        `NODE_ENV="production",API_TOKEN="{{ host.attrs.api_token | default: '' }}"`,
      ),
    );
    proj.tag('v1.0.0');
    await proj.setVersion('1.1.0');
    proj.tag('v1.1.0');
    const server = join(proj.dir, 'bundles/demo/app/server.js');
    const good = await readFile(server, 'utf8');
    await proj.setVersion('1.2.0');
    // crashes at start, printing its token: the error ferry reports then carries the secret
    await writeFile(
      server,
      good.replace(
        'const pkg = JSON.parse',
        "process.stderr.write('demo: bad token ' + process.env.API_TOKEN + '\\n');\nprocess.exit(3);\nconst pkg = JSON.parse",
      ),
    );
    proj.tag('v1.2.0-crash');
    await writeFile(server, good);
    carbon = await startCarbon();
    hooks = createHttpServer((req, res) => {
      let text = '';
      req.on('data', (d: Buffer) => (text += d.toString()));
      req.on('end', () => {
        bodies.push(text);
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/deploys`;
  }, 300_000);
  afterAll(async () => {
    await carbon?.stop();
    await new Promise((r) => (hooks ? hooks.close(r) : r(undefined)));
    await fleet?.stop();
  });

  it('a deploy: carbon stores started/finished, duration and per-host results; the webhook gets start and finish', async () => {
    await settings({ graphite: graphite(carbon.port), webhooks: [hookUrl] });
    const t0 = Math.floor(Date.now() / 1000);
    const r = await run('deploy', 'demo', '--tag', 'v1.0.0');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const t1 = Math.ceil(Date.now() / 1000);
    expect(warnings(r.stderr)).toEqual([]);
    const id = current(0);
    const [start, finish] = payloads();
    expect(payloads()).toHaveLength(2);
    expect(start).toMatchObject({ event: 'start', action: 'deploy', bundle: 'demo', tag: 'v1.0.0', id });
    expect(start?.who).toMatch(/^[^@\s]+@[^@\s]+$/);
    expect(finish).toMatchObject({ event: 'finish', result: 'ok', id });
    expect(finish?.hosts.map((h) => [h.name, h.result, h.to])).toEqual([
      ['web1.dc1', 'ok', id],
      ['h2', 'ok', id],
    ]);
    expect(finish?.text).toContain(`ferry deploy demo v1.0.0 (${id}) finished: 2/2 host(s) ok`);

    const started = await points('ferry.it.demo.deploy.started');
    expect(started).toHaveLength(1);
    expect(started[0]?.[1]).toBe(1);
    expect(started[0]?.[0]).toBeGreaterThanOrEqual(t0);
    const finished = await points('ferry.it.demo.deploy.finished');
    expect(finished.map((p) => p[1])).toEqual([1]);
    expect(finished[0]?.[0]).toBeLessThanOrEqual(t1);
    expect(await last('ferry.it.demo.deploy.duration_ms')).toBe(finish?.durationMs);
    expect(await last('ferry.it.demo.deploy.hosts.ok')).toBe(2);
    expect(await last('ferry.it.demo.deploy.hosts.failed')).toBe(0);
    // a host name's dots would split the path: web1.dc1 is one node
    expect(await last('ferry.it.demo.deploy.host.web1_dc1.result')).toBe(1);
    expect(await last('ferry.it.demo.deploy.host.h2.result')).toBe(1);
    expect(carbon.exists('ferry.it.demo.deploy.failed')).toBe(false);
    expect(carbon.exists('ferry.it.demo.deploy.host.web1.dc1.result')).toBe(false);
    // control: the secret went through this deploy to the hosts, yet into no payload
    const conf = await fleet.exec(fleet.hosts[0]!, 'cat /etc/supervisor/conf.d/demo.conf');
    expect(conf.stdout).toContain(SECRET);
    for (const b of bodies) expect(b).not.toContain(SECRET);
  });

  it('a failed deploy: a failure webhook and failed counts; the secret in its error output is not in the payload', async () => {
    const before = bodies.length;
    const r = await run('deploy', 'demo', '--tag', 'v1.2.0-crash', '--health-timeout', '3s');
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout + r.stderr).toContain(`bad token ${SECRET}`); // control
    const mine = payloads().slice(before);
    expect(mine.map((p) => p.event)).toEqual(['start', 'failure']);
    expect(mine[1]).toMatchObject({ result: 'failed', tag: 'v1.2.0-crash' });
    expect(mine[1]?.hosts.map((h) => h.result)).toEqual(['failed', 'failed']);
    expect(mine[1]?.text).toContain('failed: 0/2 host(s) ok');
    for (const b of bodies) expect(b).not.toContain(SECRET);
    expect(await last('ferry.it.demo.deploy.failed')).toBe(1);
    expect(await last('ferry.it.demo.deploy.hosts.failed', 2)).toBe(2);
    expect(await last('ferry.it.demo.deploy.host.h2.result', 2)).toBe(0);
  });

  it('a rollback notifies as a rollback, naming the release the hosts went back to', async () => {
    const v1 = current(0);
    expect((await run('deploy', 'demo', '--tag', 'v1.1.0')).code).toBe(0);
    const before = bodies.length;
    const r = await run('rollback', 'demo');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(current(0)).toBe(v1);
    const mine = payloads().slice(before);
    expect(mine.map((p) => [p.action, p.event])).toEqual([
      ['rollback', 'start'],
      ['rollback', 'finish'],
    ]);
    expect(mine[1]?.id).toBe(v1);
    expect(await last('ferry.it.demo.rollback.finished')).toBe(1);
    expect(await last('ferry.it.demo.rollback.hosts.ok')).toBe(2);
  });

  it('a restart notifies as a restart, naming the release the hosts run', async () => {
    const before = bodies.length;
    const r = await run('restart', 'demo');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const mine = payloads().slice(before);
    expect(mine.map((p) => [p.action, p.event, p.result])).toEqual([
      ['restart', 'start', null],
      ['restart', 'finish', 'ok'],
    ]);
    expect(mine[1]?.id).toBe(current(0));
    expect(await last('ferry.it.demo.restart.started')).toBe(1);
    expect(await last('ferry.it.demo.restart.host.web1_dc1.result')).toBe(1);
  });

  it('Graphite down (port closed) or hung (accepts, never reads): the deploy succeeds, one warning, bounded', async () => {
    const timed = async (...json: string[]) => {
      const t = performance.now();
      const r = await run(...json, 'deploy', 'demo', '--tag', 'v1.1.0');
      return { r, ms: performance.now() - t };
    };
    await settings(undefined);
    await timed(); // v1.1.0 everywhere: what follows are no-op deploys, alike but for the notifications
    const base = await timed();
    expect(base.r.code).toBe(0);
    const closed = await freePort();
    await settings({ graphite: graphite(closed), timeout: 1 });
    const down = await timed('--json', join(proj.dir, 'down.json'));
    expect(down.r.code, down.r.stdout + down.r.stderr).toBe(0);
    // the report says so too, for a CI job to check
    expect(JSON.parse(await readFile(join(proj.dir, 'down.json'), 'utf8')).notify).toEqual([
      { to: `graphite 127.0.0.1:${closed}`, sent: 0, failed: 2, error: expect.stringContaining('ECONNREFUSED') },
    ]);
    expect(warnings(down.r.stderr)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^ferry: warning: deploy notification not delivered to graphite 127\\.0\\.0\\.1:${closed} \\(.*ECONNREFUSED.*\\); the deploy went on$`,
        ),
      ),
    ]);
    expect(down.ms).toBeLessThan(base.ms + 1000 + 3000);

    const held: Socket[] = [];
    const hole: Server = createServer((c) => {
      c.pause();
      held.push(c);
    });
    await new Promise<void>((r) => hole.listen(0, '127.0.0.1', r));
    const port = (hole.address() as AddressInfo).port;
    try {
      await settings({ graphite: graphite(port), timeout: 1 });
      const hung = await timed();
      expect(hung.r.code, hung.r.stdout + hung.r.stderr).toBe(0);
      expect(held).toHaveLength(2); // control: it was reached, at start and at end
      expect(warnings(hung.r.stderr)).toEqual([
        `ferry: warning: deploy notification not delivered to graphite 127.0.0.1:${port} (no acknowledgement within 1000 ms); the deploy went on`,
      ]);
      expect(hung.ms).toBeLessThan(base.ms + 1000 + 3000);
    } finally {
      for (const c of held) c.destroy();
      await new Promise((r) => hole.close(r));
    }
  });

  it('--dry-run sends nothing and prints what it would send', async () => {
    let connections = 0;
    const listener = createServer((c) => {
      connections++;
      c.destroy();
    });
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
    const port = (listener.address() as AddressInfo).port;
    try {
      await settings({ graphite: graphite(port), webhooks: [hookUrl] });
      const before = bodies.length;
      const r = await run('--dry-run', 'deploy', 'demo', '--tag', 'v1.0.0');
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(bodies.length).toBe(before);
      expect(connections).toBe(0);
      expect(r.stderr).toContain(
        `notify (dry run, not sent): graphite 127.0.0.1:${port} start: ferry.it.demo.deploy.started 1 `,
      );
      expect(r.stderr).toMatch(
        /notify \(dry run, not sent\): webhook http:\/\/127\.0\.0\.1:\d+\/… finish: \{"text":"ferry deploy demo v1\.0\.0/,
      );
      expect(r.stderr).not.toContain(SECRET);
    } finally {
      await new Promise((r) => listener.close(r));
    }
  });

  it('a webhook URL that is not http(s): exit 2 at load time, naming ferry.yaml:line and the key; nothing runs', async () => {
    await writeFile(
      join(proj.dir, 'ferry.yaml'),
      `notify:\n  webhooks:\n    - ${hookUrl}\n    - ftp://hooks.example/x\n`,
    );
    const before = bodies.length;
    const r = await run('deploy', 'demo', '--tag', 'v1.0.0');
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toContain('ferry.yaml:4:7: notify.webhooks.1: must be an http:// or https:// URL, not ftp:');
    expect(r.stderr).not.toContain('build:');
    expect(bodies.length).toBe(before);
  });
});
