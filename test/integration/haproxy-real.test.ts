// The HAProxy building blocks against a REAL haproxy (Debian 12: 2.6.12) on 127.0.0.1: runtime
// lines over the admin socket (node net.connect, one command per connection, as the SSH
// stream-local forward does), and the apply that ships: server-state save + graceful reload.
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findServerStat,
  parseSetReply,
  parseShowStat,
  runtimePayload,
  runtimeReplyComplete,
  setServerState,
  showStat,
  type RuntimeLine,
  type StatRow,
} from '../../src/ops/haproxy/runtime.js';
import { inRotation } from '../../src/rolling/roll-host.js';
import { haproxyApplyCommand, haproxyReloadCommand, saveServerStateCommand } from '../../src/ops/haproxy/config.js';
import { startLoad, type LoadResult } from '../e2e/load/load.js';
import { localSh } from '../helpers/local-sh.js';

const HAPROXY = '/usr/sbin/haproxy';
const canRun = existsSync(HAPROXY) && existsSync('/usr/bin/socat');

/**
 * The admin state a server-state file (`show servers state` format) records for a server:
 * what the next haproxy process starts the server in. Flags: 0x01 forced maint, 0x08 forced drain.
 */
function savedAdminState(text: string, server: string): number | undefined {
  const lines = text.split('\n');
  const names = (lines.find((l) => l.startsWith('# be_id ')) ?? '').slice(2).split(' ');
  const row = lines.map((l) => l.split(' ')).find((v) => v[names.indexOf('srv_name')] === server);
  return row ? Number(row[names.indexOf('srv_admin_state')]) : undefined;
}

/** Run a rendered command as the remote shell would, stdin optional. */
const sh = localSh;

/** One runtime command per connection: write the line + '\n', read to EOF (what the lead does over SSH). */
function runtime(socket: string, line: RuntimeLine): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = net.connect({ path: socket });
    let out = '';
    c.setTimeout(10_000, () => c.destroy(new Error(`no reply to '${line}'`)));
    c.on('connect', () => c.write(runtimePayload(line)));
    c.on('data', (d: Buffer) => (out += d.toString()));
    c.on('end', () => resolve(out));
    c.on('error', reject);
  });
}

async function until<T>(
  what: string,
  probe: () => Promise<T>,
  ok: (v: T) => boolean,
  tries = 300,
  everyMs = 100,
): Promise<T> {
  let last: T | undefined;
  for (let i = 0; i < tries; i++) {
    last = await probe();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe.skipIf(!canRun)('HAProxy runtime API, state file and reload against a real haproxy', () => {
  let dir = '';
  let socket = '';
  let stateFile = '';
  let pidFile = '';
  let cfg = '';
  let url = '';
  const backends: http.Server[] = [];
  const held: http.ServerResponse[] = [];
  const allPids = new Set<number>();

  const stat = async (): Promise<StatRow[]> => parseShowStat(await runtime(socket, showStat()));
  const server = async (name: string): Promise<StatRow> => {
    const row = findServerStat(await stat(), 'app', name);
    if (!row) throw new Error(`no app/${name} in show stat`);
    return row;
  };
  const set = async (name: string, state: 'ready' | 'drain' | 'maint'): Promise<void> => {
    expect(parseSetReply(await runtime(socket, setServerState('app', name, state)))).toEqual({ ok: true });
  };
  const pids = (): number[] => readFileSync(pidFile, 'utf8').split(/\s+/).filter(Boolean).map(Number);
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const load = (maxRequests: number): Promise<LoadResult> =>
    startLoad({ url, rps: 200, maxRequests, maxMs: 20_000 }).done;

  beforeAll(async () => {
    dir = mkdtempSync('/tmp/ferry-hap-');
    socket = join(dir, 'admin.sock');
    stateFile = join(dir, 'server-state');
    pidFile = join(dir, 'haproxy.pid');
    cfg = join(dir, 'haproxy.cfg');
    const ports: number[] = [];
    for (const version of ['A', 'B']) {
      const s = http.createServer((req, res) => {
        res.setHeader('content-type', 'application/json');
        if (req.url === '/hold') return void held.push(res); // answered when the test says so
        res.end(JSON.stringify({ version }));
      });
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
      backends.push(s);
      ports.push((s.address() as AddressInfo).port);
    }
    const front = await freePort();
    const spare = await freePort(); // nothing listens there
    url = `http://127.0.0.1:${front}/`;
    writeFileSync(
      cfg,
      `global
	stats socket ${socket} mode 600 level admin expose-fd listeners
	server-state-file ${stateFile}

defaults
	mode http
	timeout connect 2s
	timeout client 10s
	timeout server 10s
	# the backends live in this (busy, shared-CPU) test process: a check fails only after 5 s of silence
	timeout check 5s
	load-server-state-from-file global

frontend fe
	bind 127.0.0.1:${front}
	default_backend app

backend app
	balance roundrobin
	option httpchk GET /
	server web1 127.0.0.1:${ports[0]} check inter 200ms
	server web2 127.0.0.1:${ports[1]} check inter 200ms
	server spare 127.0.0.1:${spare} check inter 200ms
`,
    );
    // apply starts haproxy when no live pid is recorded
    const started = await sh(haproxyApplyCommand({ config: cfg, pidFile, socket, stateFile }));
    expect(started.code, started.stderr).toBe(0);
    for (const p of pids()) allPids.add(p);
    // a server starts UP until its checks fail: wait for spare (nothing listening) to go DOWN too
    await until(
      'web1, web2 UP and spare DOWN',
      stat,
      (rows) =>
        ['web1', 'web2'].every((n) => findServerStat(rows, 'app', n)?.state === 'UP') &&
        findServerStat(rows, 'app', 'spare')?.state === 'DOWN',
    );
  });

  afterAll(async () => {
    for (const res of held.splice(0)) res.end('{"version":"late"}');
    if (pidFile && existsSync(pidFile)) for (const p of pids()) allPids.add(p);
    for (const p of allPids) if (alive(p)) process.kill(p, 'SIGTERM');
    for (const s of backends) {
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('drain takes web1 out of new traffic; ready brings it back', async () => {
    const before = await load(40);
    expect(before.failed).toBe(0);
    expect(Object.keys(before.versions).sort()).toEqual(['A', 'B']);

    await set('web1', 'drain');
    expect((await server('web1')).state).toBe('DRAIN');
    const drained = await load(60);
    expect(drained).toMatchObject({ sent: 60, ok: 60, failed: 0, versions: { B: 60 } });

    await set('web1', 'ready');
    await until(
      'web1 UP',
      () => server('web1'),
      (r) => r.state === 'UP',
    );
    const back = await load(40);
    expect(back.failed).toBe(0);
    expect(Object.keys(back.versions).sort()).toEqual(['A', 'B']);
  });

  it('a drained server keeps its sessions until they end: scur reaches 0 only after the response', async () => {
    await set('web2', 'drain'); // the held request can only land on web1
    const pending = fetch(`${url.replace(/\/$/, '')}/hold`).then(async (r) => ({
      status: r.status,
      body: await r.text(),
    }));
    await until(
      'the held request on web1',
      () => server('web1'),
      (r) => r.scur === 1,
    );
    await set('web1', 'drain');
    await set('web2', 'ready');
    expect(await server('web1')).toMatchObject({ state: 'DRAIN', scur: 1 });
    held.shift()?.end(JSON.stringify({ version: 'A' }));
    expect(await pending).toEqual({ status: 200, body: '{"version":"A"}' });
    await until(
      'web1 sessions at 0',
      () => server('web1'),
      (r) => r.scur === 0,
    );
    await set('web1', 'ready');
    await until(
      'web1 UP',
      () => server('web1'),
      (r) => r.state === 'UP',
    );
  });

  it('every reply ends at its terminating empty line, so ferry can stop reading there (not at EOF)', async () => {
    const cases: Array<[RuntimeLine, number]> = [
      [setServerState('app', 'web2', 'drain'), 1],
      [setServerState('app', 'nope', 'drain'), 1],
      [showStat('app'), 1],
      [`${setServerState('app', 'web2', 'ready')}; ${showStat('app')}` as RuntimeLine, 2],
    ];
    for (const [line, n] of cases) {
      const reply = await runtime(socket, line);
      expect(runtimeReplyComplete(reply, n), line).toBe(true);
      expect(runtimeReplyComplete(reply.slice(0, -1), n), line).toBe(false);
    }
    // the backend filter: only that backend's servers, no frontend/backend rows
    const rows = parseShowStat(await runtime(socket, showStat('app')));
    expect(rows.map((r) => `${r.pxname}/${r.svname}/${r.type}`)).toEqual([
      'app/web1/server',
      'app/web2/server',
      'app/spare/server',
    ]);
    await until(
      'web2 UP',
      () => server('web2'),
      (r) => r.state === 'UP',
    );
  });

  it(
    'leaving maint, the server is in rotation at once ' + '(HAProxy may label it "UP 1/n" until its next check)',
    async () => {
      await set('web2', 'maint');
      expect(inRotation(await server('web2'))).toBe(false);
      await set('web2', 'ready');
      const row = await server('web2');
      expect(row.state).toBe('UP');
      expect(inRotation(row)).toBe(true);
      const after = await load(40);
      expect(after.failed).toBe(0);
      expect(Object.keys(after.versions).sort()).toEqual(['A', 'B']); // web2 takes traffic again
      // a server whose check fails is never in rotation
      expect(inRotation((await stat()).find((r) => r.svname === 'spare') as StatRow)).toBe(false);
    },
  );

  it('control: a reload WITHOUT saved state re-enables a drained server', async () => {
    await set('web1', 'drain');
    if (existsSync(stateFile)) unlinkSync(stateFile);
    const old = pids();
    const r = await sh(haproxyReloadCommand({ config: cfg, pidFile, transferSocket: socket }));
    expect(r.code, r.stderr).toBe(0);
    const now = pids();
    for (const p of now) allPids.add(p);
    expect(now).not.toEqual(old);
    await until(
      'old haproxy gone',
      async () => old.filter(alive),
      (l) => l.length === 0,
    );
    expect((await server('web1')).state).not.toBe('DRAIN');
    await until(
      'web1 UP',
      () => server('web1'),
      (row) => row.state === 'UP',
    );
  });

  it(
    'apply (server-state save + graceful reload) ' + 'keeps drained servers drained and maint in maint, under load',
    async () => {
      await set('web1', 'drain');
      await set('spare', 'maint');
      const old = pids();
      const running = startLoad({ url, rps: 100, maxRequests: 10_000, maxMs: 20_000 });
      const r = await sh(haproxyApplyCommand({ config: cfg, pidFile, socket, stateFile }));
      expect(r.code, r.stderr).toBe(0);
      const saved = readFileSync(stateFile, 'utf8');
      expect(savedAdminState(saved, 'web1')).toBe(0x08);
      expect(savedAdminState(saved, 'spare')).toBe(0x01);
      expect(savedAdminState(saved, 'web2')).toBe(0);
      const now = pids();
      for (const p of now) allPids.add(p);
      expect(now).not.toEqual(old);
      await until(
        'old haproxy gone',
        async () => old.filter(alive),
        (l) => l.length === 0,
      );
      await new Promise((r) => setTimeout(r, 300)); // a few more requests on the new process
      const during = await running.stop();

      // the new process started each server in its saved admin state
      expect((await server('web1')).state).toBe('DRAIN');
      expect((await server('spare')).state).toBe('MAINT');
      expect((await server('web2')).state).toBe('UP');
      // no request failed across the reload (listeners handed over with -x), and none reached web1
      expect(during.errors).toEqual([]);
      expect(during.sent).toBeGreaterThan(0);
      expect(during.versions).toEqual({ B: during.ok });
      expect(existsSync(`${stateFile}.ferry-tmp`)).toBe(false);
    },
  );

  it('save-state refuses to replace the state file with an error reply', async () => {
    const good = readFileSync(stateFile, 'utf8');
    const r = await sh(saveServerStateCommand({ socket: join(dir, 'absent.sock'), stateFile }));
    expect(r.code).not.toBe(0);
    expect(readFileSync(stateFile, 'utf8')).toBe(good);
    expect(existsSync(`${stateFile}.ferry-tmp`)).toBe(false);
  });
});
