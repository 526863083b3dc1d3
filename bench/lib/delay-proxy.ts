import { type AddressInfo, createServer, connect, type Server, type Socket } from 'node:net';

// A userspace latency proxy (this kernel has no netem): every chunk waits `oneWayMs` before it
// is passed on, in each direction, so a round trip costs 2 × oneWayMs. Timers of one duration
// fire in the order they were set, so the byte order holds.

export interface ProxyCounts {
  /** client → server bursts that followed data delivered to the client: the client's waits */
  turns: number;
  up: number;
  down: number;
  connections: number;
}

export interface DelayProxy {
  readonly address: string;
  readonly port: number;
  readonly counts: ProxyCounts;
  reset(): void;
  close(): Promise<void>;
}

const zero = (): ProxyCounts => ({ turns: 0, up: 0, down: 0, connections: 0 });

function relay(client: Socket, target: { address: string; port: number }, oneWayMs: number, counts: ProxyCounts) {
  const server = connect(target.port, target.address);
  counts.connections++;
  // true once the client has received something since it last spoke: its next burst is a new turn
  let answered = true;
  const later = (f: () => void) => setTimeout(f, oneWayMs);
  client.on('data', (chunk: Buffer) => {
    if (answered) counts.turns++;
    answered = false;
    counts.up += chunk.length;
    later(() => server.write(chunk));
  });
  server.on('data', (chunk: Buffer) => {
    counts.down += chunk.length;
    later(() => {
      answered = true;
      client.write(chunk);
    });
  });
  client.on('end', () => later(() => server.end()));
  server.on('end', () => later(() => client.end()));
  const kill = () => {
    client.destroy();
    server.destroy();
  };
  client.on('error', kill);
  server.on('error', kill);
  client.on('close', () => later(() => server.destroy()));
  server.on('close', () => later(() => client.destroy()));
}

/** A proxy on 127.0.0.1 (ephemeral port) in front of `target`, adding 2 × oneWayMs per round trip. */
export async function startDelayProxy(
  target: { address: string; port: number },
  oneWayMs: number,
): Promise<DelayProxy> {
  let counts = zero();
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    relay(client, target, oneWayMs, counts);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    address: '127.0.0.1',
    port,
    get counts() {
      return counts;
    },
    reset: () => {
      counts = zero();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
