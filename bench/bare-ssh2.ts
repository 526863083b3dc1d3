// The floor for any ssh2-based tool: connect to every host in parallel with the ssh2 package,
// verify nothing, exec `uptime`, print. Usage: node dist/bench/bare-ssh2.js <hosts.json> <key> [command] [cap]
// With `cap`, at most that many hosts at once (the uncapped floor times out at 1,000 hosts).
// The command `-` only connects, authenticates and ends (the latency section's handshake count).
import { readFileSync } from 'node:fs';
import { Client } from 'ssh2';

interface Target {
  name: string;
  address: string;
  port: number;
}

function runOn(t: Target, key: Buffer, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = new Client();
    c.on('ready', () => {
      if (command === '-') {
        c.end();
        return resolve('connected');
      }
      c.exec(command, (err, stream) => {
        if (err) return reject(err);
        let out = '';
        stream.on('data', (d: Buffer) => (out += d.toString()));
        stream.stderr.on('data', () => undefined);
        stream.on('close', () => {
          c.end();
          resolve(out.trim());
        });
      });
    });
    c.on('error', reject);
    c.connect({
      host: t.address,
      port: t.port,
      username: 'root',
      privateKey: key,
      hostVerifier: () => true,
      readyTimeout: 30_000,
    });
  });
}

const [hostsFile, keyFile, command = 'uptime', capArg] = process.argv.slice(2);
if (!hostsFile || !keyFile) {
  process.stderr.write('usage: bare-ssh2 <hosts.json> <key> [command]\n');
  process.exit(2);
}
const targets = JSON.parse(readFileSync(hostsFile, 'utf8')) as Target[];
const key = readFileSync(keyFile);
const cap = capArg ? Number(capArg) : targets.length;
const results: PromiseSettledResult<string>[] = new Array(targets.length);
let next = 0;
const worker = async () => {
  for (let i = next++; i < targets.length; i = next++) {
    const t = targets[i] as Target;
    results[i] = await runOn(t, key, command).then(
      (value) => ({ status: 'fulfilled', value }) as const,
      (reason: unknown) => ({ status: 'rejected', reason }) as const,
    );
  }
};
await Promise.all(Array.from({ length: Math.max(1, Math.min(cap, targets.length)) }, worker));
let failed = 0;
const lines = results.map((r, i) => {
  const name = targets[i]?.name ?? String(i);
  if (r.status === 'fulfilled') return `[${name}] ${r.value}\n`;
  failed++;
  return `[${name}] FAILED: ${String(r.reason)}\n`;
});
// exit once stdout has taken it all: process.exit() with a pipe's writes pending cuts them short
// (the scale section once counted 363 of 500 lines)
process.exitCode = failed ? 1 : 0;
process.stdout.write(lines.join(''), () => process.exit());
