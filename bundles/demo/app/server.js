// ferry demo app: plain node:http. `/` answers with the version and host name after doing a
// little real work; `/check.html` is the health check. SIGTERM: stop accepting, finish the
// requests in flight, exit 0 (rolling restarts with zero failed requests depend on it).
import { createServer } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import ms from 'ms';
import { loadEnvFile } from './env-file.js';
import { readDb } from './schema.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
// the env file ferry renders per host (bundle.ts envFile: app/.env); its secret is reported as a hash only
const envFile = loadEnvFile(new URL('../.env', import.meta.url));
const secretSha256 =
  envFile.DEMO_SECRET === undefined ? null : createHash('sha256').update(envFile.DEMO_SECRET).digest('hex');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && process.argv[i + 1] !== undefined) return process.argv[i + 1];
  return fallback;
}

if (process.argv.includes('--version')) {
  process.stdout.write(`${pkg.version}\n`);
  process.exit(0);
}

const host = arg('host', process.env.HOST ?? '127.0.0.1');
const port = Number(arg('port', process.env.PORT ?? '8000'));
const started = Date.now();
const payload = randomBytes(16 * 1024);
let stopping = false;
// error knob: answer 500 to this percentage of `/` requests (exactly every (100/N)th), /check.html unaffected
const errorPercent = Number(process.env.DEMO_ERROR_PERCENT ?? pkg.demoErrorPercent ?? 0) || 0;
let answered = 0;

/** Real work per request: hash 16 KiB a few times. */
function work(rounds) {
  let digest = payload;
  for (let i = 0; i < rounds; i++) digest = createHash('sha256').update(payload).update(digest).digest();
  return digest.toString('hex').slice(0, 16);
}

const server = createServer((req, res) => {
  if (stopping) res.setHeader('Connection', 'close');
  const url = new URL(req.url ?? '/', 'http://local');
  if (url.pathname === '/check.html') {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    return res.end('ok\n');
  }
  if (url.pathname === '/version') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    const body = { name: pkg.name, version: pkg.version, secretSha256 };
    body.schema = readDb()?.version ?? null; // the database's schema version (app/migrate.js)
    return res.end(`${JSON.stringify(body)}\n`);
  }
  if (url.pathname !== '/') {
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    return res.end('not found\n');
  }
  answered += 1;
  if (Math.floor((answered * errorPercent) / 100) > Math.floor(((answered - 1) * errorPercent) / 100)) {
    res.writeHead(500, { 'Content-Type': 'text/plain' });
    return res.end('injected error (DEMO_ERROR_PERCENT)\n');
  }
  const delay = Math.min(Number(url.searchParams.get('delay') ?? 0) || 0, 10_000);
  setTimeout(() => {
    const body = {
      name: pkg.name,
      version: pkg.version,
      host: process.env.FERRY_HOST ?? hostname(),
      pid: process.pid,
      uptime: ms(Date.now() - started),
      work: work(32),
    };
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(`${JSON.stringify(body)}\n`);
  }, delay);
});

server.keepAliveTimeout = 5_000;
server.listen(port, host, () => {
  const addr = server.address();
  process.stdout.write(`demo ${pkg.version} listening on ${host}:${addr.port} (pid ${process.pid})\n`);
});

function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`demo: ${signal}, finishing requests in flight\n`);
  server.close(() => process.exit(0)); // stop accepting; callback once every connection is gone
  server.closeIdleConnections();
  const idle = setInterval(() => server.closeIdleConnections(), 100);
  idle.unref();
  setTimeout(() => process.exit(0), 25_000).unref(); // below supervisor's stopwaitsecs
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
