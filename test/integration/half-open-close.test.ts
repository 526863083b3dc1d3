import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startFleet, type Fleet } from '../fleet/fleet.js';
import { knownHostsName } from '../fleet/known-hosts.js';
import { startFerry } from '../helpers/ferry-cli.js';
import { fleetSkipReason } from '../helpers/skip.js';
import { waitFor } from '../helpers/wait-for.js';

const skip = fleetSkipReason();

/**
 * A TCP relay to sshd that passes everything on but never ends or closes the client's side: the
 * server's FIN after ferry's disconnect never reaches ferry (a NAT or middlebox that dropped it).
 */
async function swallowingProxy(address: string, port: number) {
  const held: Socket[] = [];
  let serverEnded = 0;
  const server: Server = createServer({ allowHalfOpen: true }, (client) => {
    held.push(client);
    const up = connect({ port, host: address, allowHalfOpen: true });
    client.pipe(up);
    up.on('data', (d: Buffer) => client.write(d));
    up.on('end', () => serverEnded++); // and not passed on
    client.on('error', () => up.destroy());
    up.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    /** connections sshd ended (after ferry's disconnect), whose end the proxy kept from ferry */
    serverEnded: () => serverEnded,
    close: () => {
      for (const s of held) s.destroy();
      server.close();
    },
  };
}

describe.skipIf(skip)('a connection whose close never comes back', () => {
  let fleet: Fleet;
  let dir: string;
  let proxy: Awaited<ReturnType<typeof swallowingProxy>>;
  let flags: string[];

  beforeAll(async () => {
    fleet = await startFleet({ hosts: 1 });
    const h = fleet.host('h1');
    proxy = await swallowingProxy(h.address, h.port);
    dir = await mkdtemp(join(tmpdir(), 'ferry-half-open-'));
    const inv = parse(readFileSync(fleet.inventoryFile, 'utf8')) as { hosts: Record<string, Record<string, unknown>> };
    inv.hosts.h1 = { ...inv.hosts.h1, address: '127.0.0.1', port: proxy.port };
    const key = readFileSync(fleet.knownHosts, 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${knownHostsName(h.address, h.port)} `))
      ?.split(' ')
      .slice(1)
      .join(' ');
    await writeFile(join(dir, 'inventory.yaml'), stringify(inv));
    await writeFile(join(dir, 'known_hosts'), `${knownHostsName('127.0.0.1', proxy.port)} ${key}\n`);
    flags = ['--inventory', join(dir, 'inventory.yaml'), '--known-hosts', join(dir, 'known_hosts')];
    flags.push('-i', fleet.clientKey);
  }, 120_000);
  afterAll(async () => {
    proxy?.close();
    await fleet?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('ferry ends once its disconnect is written, not when the server’s close arrives', async () => {
    const run = startFerry([...flags, 'run', '--hosts', 'h1', '--', 'echo', 'through'], { timeoutMs: 60_000 });
    // keepalives would only give up after 3 × 15 s: 10 s is ample for the command, not for that
    await waitFor(() => run.exited(), { timeoutMs: 10_000, what: 'ferry to exit' });
    const r = await run.done;
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\[h1\] through/);
    // control: sshd did end the connection, and that end is what ferry never got
    await waitFor(() => proxy.serverEnded() === 1, { timeoutMs: 10_000, what: 'sshd to end the connection' });
  });
});
