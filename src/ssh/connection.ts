import { NodeSSH } from 'node-ssh';
import { skipHostKeysProve } from './hostkeys-prove.js';
import type { Client } from 'ssh2';
import type { Duplex } from 'node:stream';
import { ConnectionError } from '../errors/connection-error.js';
import { FerryError } from '../errors/ferry-error.js';
import { authMethods, type AuthMethod } from './auth.js';
import { withConnectRetries } from './connect-retry.js';
import { execChannel, type ChannelRequest, type ChannelResult } from './exec-channel.js';
import { hostKeyCheck } from './host-verifier.js';
import { interactiveChannel, type InteractiveRequest } from './interactive.js';
import type { SshTarget } from './target.js';

/** One verified SSH connection to one host, reused by every step of a run. */
export class SshConnection {
  readonly target: SshTarget;
  private readonly ssh: NodeSSH;
  private readonly client: Client;
  private readonly via: SshConnection | undefined;
  /** channels opened (execs + forwards): each is a network round trip */
  channels = 0;
  /** transient connect failures retried before this connection got through */
  retries = 0;
  private closed = false;
  private lastError: Error | undefined;

  private constructor(target: SshTarget, ssh: NodeSSH, client: Client, via: SshConnection | undefined) {
    this.target = target;
    this.ssh = ssh;
    this.client = client;
    this.via = via;
    // after the handshake ssh2 emits 'error' on a broken connection: keep it, never crash the process
    client.on('error', (err: Error) => {
      this.lastError = err;
    });
    client.on('close', () => {
      this.closed = true;
    });
  }

  /**
   * `connecting` is called once the handshake is under way (or the attempt failed before it). A
   * transient failure (refused, timed out, dropped before the banner) is retried with backoff.
   */
  static async open(target: SshTarget, connecting?: () => void): Promise<SshConnection> {
    try {
      return await withConnectRetries(target.name, () => SshConnection.connect(target, connecting));
    } finally {
      connecting?.();
    }
  }

  private static async connect(target: SshTarget, connecting?: () => void): Promise<SshConnection> {
    const via = target.jump ? await SshConnection.open(target.jump) : undefined;
    try {
      const sock = via ? await via.forwardTcp(target.host, target.port) : undefined;
      const check = await hostKeyCheck(target);
      const methods = await authMethods(target);
      if (methods.length === 0) {
        throw new ConnectionError(
          target.name,
          `no credentials: no ssh-agent and none of ${target.identityFiles.join(', ') || '(no identity files)'} exists`,
        );
      }
      const ssh = new NodeSSH();
      const pending: AuthMethod[] = [...methods];
      try {
        const ready = ssh.connect({
          ...(sock ? { sock } : { host: target.host }),
          port: target.port,
          username: target.user,
          readyTimeout: target.connectTimeoutMs,
          keepaliveInterval: target.keepaliveMs,
          keepaliveCountMax: 3,
          hostVerifier: (key: Buffer) => check.verify(key),
          ...hostKeyAlgorithms(check.preferredTypes),
          authHandler: (_methodsLeft: unknown, _partial: unknown, next: (m: AuthMethod | false) => void) =>
            next(pending.shift() ?? false),
        } as Parameters<NodeSSH['connect']>[0]);
        // node-ssh made the client and called its connect(): the protocol's handlers exist now
        if (ssh.connection) skipHostKeysProve(ssh.connection);
        connecting?.();
        await ready;
      } catch (err) {
        ssh.dispose();
        const refused = check.refusal();
        if (refused) throw refused;
        const through = via ? ` via ${via.target.name}` : '';
        throw new ConnectionError(
          target.name,
          `cannot connect to ${target.user}@${target.host}:${target.port}${through}: ${(err as Error).message}`,
          { cause: err },
        );
      }
      await check.persist();
      if (!ssh.connection) throw new ConnectionError(target.name, 'connection closed during handshake');
      // like OpenSSH: no Nagle. Every step is a small request waiting for its reply, and Nagle
      // plus the peer's delayed ACK adds ~40 ms to each (measured on loopback: 45 ms → 3 ms per exec)
      ssh.connection.setNoDelay(true);
      return new SshConnection(target, ssh, ssh.connection, via);
    } catch (err) {
      via?.close();
      if (err instanceof FerryError) throw err;
      throw new ConnectionError(target.name, (err as Error).message, { cause: err });
    }
  }

  /** Run a command; resolves with its exit status (nonzero is not thrown here: see remote-exec). */
  async exec(req: ChannelRequest): Promise<ChannelResult> {
    this.assertOpen();
    this.channels += 1;
    try {
      return await execChannel(this.client, req);
    } catch (err) {
      throw new ConnectionError(this.target.name, `cannot start a command: ${(err as Error).message}`, { cause: err });
    }
  }

  /** An interactive session on ferry's own terminal (ssh/interactive.ts); resolves with its exit code. */
  async interactive(req: InteractiveRequest): Promise<number> {
    this.assertOpen();
    this.channels += 1;
    try {
      return await interactiveChannel(this.client, req);
    } catch (err) {
      throw new ConnectionError(this.target.name, `cannot start a session: ${(err as Error).message}`, { cause: err });
    }
  }

  /** A TCP stream to host:port as seen from the remote host (direct-tcpip). */
  async forwardTcp(host: string, port: number): Promise<Duplex> {
    this.assertOpen();
    this.channels += 1;
    try {
      return await this.ssh.forwardOut('127.0.0.1', 0, host, port);
    } catch (err) {
      throw new ConnectionError(
        this.target.name,
        `cannot open a tunnel to ${host}:${port}: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }

  /** A stream to a unix socket on the remote host (OpenSSH streamlocal forwarding). */
  async forwardUnix(path: string): Promise<Duplex> {
    this.assertOpen();
    this.channels += 1;
    try {
      return await this.ssh.forwardOutStreamLocal(path);
    } catch (err) {
      throw new ConnectionError(this.target.name, `cannot reach unix socket ${path}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  close(): void {
    this.closed = true;
    const sock = (this.client as unknown as { _sock?: Duplex })._sock;
    this.ssh.dispose();
    // Once the disconnect is written, nothing more is wanted from the server: don't wait a round
    // trip for its close (the last 50 ms of every command on a 50 ms link), or, when that close is
    // lost on the way, for ssh2's keepalive to give up
    if (sock && !sock.destroyed) {
      if (sock.writableFinished) sock.destroy();
      else sock.once('finish', () => sock.destroy());
    }
    this.via?.close();
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new ConnectionError(
        this.target.name,
        `connection lost${this.lastError ? `: ${this.lastError.message}` : ''}`,
      );
    }
  }
}

/** ssh2's own order of host key algorithms (with ed25519, which every Node ferry runs on has). */
const SSH2_DEFAULT = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

/**
 * ssh2's host key algorithms with the ones known_hosts holds for this host first (like OpenSSH).
 * Nothing when that is ssh2's own order (an ed25519 host): ssh2 then sends its prebuilt offer
 * instead of building one per connection.
 */
function hostKeyAlgorithms(known: string[]): { algorithms?: { serverHostKey: string[] } } {
  if (known.length === 0) return {};
  const wanted = known.flatMap((t) => (t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t]));
  const order = [...new Set([...wanted.filter((t) => SSH2_DEFAULT.includes(t)), ...SSH2_DEFAULT])];
  return order.join() === SSH2_DEFAULT.join() ? {} : { algorithms: { serverHostKey: order } };
}
