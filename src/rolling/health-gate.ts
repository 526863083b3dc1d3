import { FailedError } from '../errors/failed-error.js';
import type { HostSession } from '../runner/host-session.js';
import { httpStatusOverSsh } from '../ssh/http-probe.js';

export interface HealthTarget {
  readonly address: string;
  readonly port: number;
  readonly path: string;
}

/** Wait until the app answers 2xx on its health path (asked through the host's own SSH connection). */
export async function waitHealthy(s: HostSession, t: HealthTarget, timeoutMs: number): Promise<number> {
  const started = Date.now();
  let last = 'no answer yet';
  for (;;) {
    try {
      const status = await httpStatusOverSsh(
        await s.connection(),
        t.address,
        t.port,
        t.path,
        Math.min(3000, timeoutMs),
      );
      if (status >= 200 && status < 300) return Date.now() - started;
      last = status === 0 ? 'not an HTTP response' : `HTTP ${status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() - started >= timeoutMs) {
      throw new FailedError(
        `health gate: http://${t.address}:${t.port}${t.path} not healthy within ${timeoutMs} ms (last: ${last})`,
        s.host.name,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The host's health target from the bundle's health settings (port from the named attr). */
export function healthTarget(
  host: { name: string; address: string; attrs: Record<string, unknown> },
  health: { path: string; port: string },
): HealthTarget {
  const port = Number(host.attrs[health.port]);
  if (!Number.isInteger(port) || port <= 0)
    throw new FailedError(
      `health check needs attr ${health.port} (a port), got ${JSON.stringify(host.attrs[health.port])}`,
      host.name,
    );
  return { address: host.address, port, path: health.path };
}
