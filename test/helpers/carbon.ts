import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from './wait-for.js';

export const CARBON_CACHE = '/usr/bin/carbon-cache';
export const WHISPER_FETCH = '/usr/bin/whisper-fetch';

/** A real carbon-cache (Debian's graphite-carbon) on a loopback port, storing whisper files in a temp dir. */
export interface Carbon {
  readonly port: number;
  readonly dir: string;
  /** the non-null points of a metric (`a.b.c`), oldest first; none while its whisper file does not exist */
  points(path: string): Promise<Array<[number, number]>>;
  /** whether the metric has a whisper file yet */
  exists(path: string): boolean;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

/** Start carbon-cache in the foreground with 1-second points kept for an hour. */
export async function startCarbon(): Promise<Carbon> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-carbon-'));
  const whisper = join(dir, 'whisper');
  await mkdir(whisper);
  const port = await freePort();
  const conf = [
    '[cache]',
    `STORAGE_DIR = ${dir}/`,
    `LOCAL_DATA_DIR = ${whisper}/`,
    `WHITELISTS_DIR = ${dir}/lists/`,
    `CONF_DIR = ${dir}/`,
    `LOG_DIR = ${dir}/`,
    `PID_DIR = ${dir}/`,
    'DATABASE = whisper',
    'ENABLE_LOGROTATION = False',
    'MAX_CACHE_SIZE = inf',
    'MAX_UPDATES_PER_SECOND = inf',
    'MAX_CREATES_PER_MINUTE = inf',
    'LINE_RECEIVER_INTERFACE = 127.0.0.1',
    `LINE_RECEIVER_PORT = ${port}`,
    'ENABLE_UDP_LISTENER = False',
    'PICKLE_RECEIVER_INTERFACE = 127.0.0.1',
    'PICKLE_RECEIVER_PORT = 0',
    'CACHE_QUERY_INTERFACE = 127.0.0.1',
    'CACHE_QUERY_PORT = 0',
    'WHISPER_AUTOFLUSH = True',
    '',
  ].join('\n');
  await writeFile(join(dir, 'carbon.conf'), conf);
  await writeFile(join(dir, 'storage-schemas.conf'), '[all]\npattern = .*\nretentions = 1s:1h\n');
  let log = '';
  const child: ChildProcess = spawn(
    CARBON_CACHE,
    [`--config=${dir}/carbon.conf`, '--nodaemon', '--logfile=-', `--pidfile=${dir}/carbon.pid`, 'start'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  let exited = false;
  const gone = new Promise<void>((r) =>
    child.on('exit', () => {
      exited = true;
      r();
    }),
  );
  await waitFor(
    () => {
      if (exited) throw new Error(`carbon-cache exited:\n${log}`);
      return log.includes(`CarbonReceiverFactory starting on ${port}`);
    },
    { timeoutMs: 30_000, what: 'carbon-cache to listen' },
  );
  const file = (path: string) => join(whisper, `${path.replace(/\./g, '/')}.wsp`);
  return {
    port,
    dir,
    exists: (path) => existsSync(file(path)),
    async points(path) {
      if (!existsSync(file(path))) return [];
      const now = Math.floor(Date.now() / 1000);
      // not --drop=nulls: whisper-fetch 1.1 then pairs the kept values with the first timestamps
      const args = [`--from=${now - 3000}`, `--until=${now + 60}`, file(path)];
      const { stdout } = await promisify(execFile)(WHISPER_FETCH, args);
      return stdout
        .trim()
        .split('\n')
        .map((l) => l.split(/\s+/))
        .filter(([, v]) => v !== undefined && v !== 'None')
        .map(([t, v]) => [Number(t), Number(v)] as [number, number]);
    },
    async stop() {
      if (!exited) child.kill('SIGTERM');
      await gone;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
