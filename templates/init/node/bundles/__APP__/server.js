// __APP__: a placeholder app (written by ferry init). `/` answers the version, `/check.html` is the
// health check ferry waits for after a switch. Replace it with your app; keep a health URL.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
};
const host = arg('host', '127.0.0.1');
const port = Number(arg('port', '8000'));

const server = createServer((req, res) => {
  if (req.url === '/check.html') return res.writeHead(200, { 'Content-Type': 'text/html' }).end('ok\n');
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(`${JSON.stringify({ name: pkg.name, version: pkg.version, host: process.env.FERRY_HOST })}\n`);
});
server.listen(port, host, () => console.log(`${pkg.name} ${pkg.version} listening on ${host}:${port}`));
// SIGTERM (a restart): stop accepting, finish the requests in flight, exit 0
process.on('SIGTERM', () => server.close(() => process.exit(0)));
