import { SshConnection } from './connection.js';
import type { SshTarget } from './target.js';

const key = (t: SshTarget) => `${t.name}\0${t.user}@${t.host}:${t.port}`;

/**
 * Connections opened ahead of their first use, so the SSH handshakes (the slow part of a
 * short command: ~20 ms of server CPU each, more over a real network) overlap with what the CLI
 * still does locally (resolving the tag, rendering configs). Each is handed out once; a failure
 * surfaces where the connection is taken, exactly as if it had been opened there.
 */
export class EarlyConnections {
  private readonly pending = new Map<string, Promise<SshConnection>>();

  /** Resolves once every handshake is under way (its local files read, its TCP connect sent). */
  async start(targets: Iterable<SshTarget>): Promise<void> {
    const underway: Array<Promise<void>> = [];
    for (const t of targets) {
      if (this.pending.has(key(t))) continue;
      underway.push(
        new Promise<void>((resolve) => {
          const p = SshConnection.open(t, resolve);
          p.catch(() => undefined); // reported when taken
          this.pending.set(key(t), p);
        }),
      );
    }
    await Promise.all(underway);
  }

  take(target: SshTarget): Promise<SshConnection> | undefined {
    const p = this.pending.get(key(target));
    this.pending.delete(key(target));
    return p;
  }

  /** Close the ones nobody took (hosts the command did not need after all). */
  async closeUnused(): Promise<void> {
    const left = [...this.pending.values()];
    this.pending.clear();
    await Promise.all(left.map(async (p) => (await p.catch(() => undefined))?.close()));
  }
}
