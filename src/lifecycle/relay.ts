import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { FerryError } from '../errors/ferry-error.js';
import { RemoteCommandError } from '../errors/remote-error.js';
import {
  NO_PYTHON,
  parseServeLine,
  pythonCheckCommand,
  relayFetchCommand,
  relayServeCommand,
  SOURCE_FAILED,
} from '../ops/release/relay.js';
import type { HostSession } from '../runner/host-session.js';
import type { HostReport } from '../runner/report.js';
import type { DeployContext } from './deploy-context.js';
import type { Phase } from './flow.js';
import { uploadArtifact } from './upload-artifact.js';

export interface RelayOptions {
  /** copies the control machine sends (`--relay k`); every other host gets it from a host that has it */
  readonly seeds: number;
  /** transfers one source serves at once */
  readonly fanout?: number;
  /** cap per relay stream, bytes/s (0: none) */
  readonly bytesPerSecond?: number;
}

interface Source {
  readonly host: string;
  readonly session: HostSession;
  readonly address: string;
  readonly input: PassThrough;
  port: number;
  active: number;
  dead: boolean;
  done?: Promise<void>;
  failure?: FerryError;
}

/** Fetches a receiver tries (each from another source) before the control machine pushes to it. */
const FETCH_TRIES = 3;

/**
 * `--relay k`: the control machine uploads the artifact to k hosts; every host holding the
 * verified artifact (uploaded, relayed, or already cached) serves it to others, `fanout` at a
 * time, so the control machine's upload is k copies, not N, and the copies grow as a tree.
 * A fetch that fails because of its source (gone, cut short, wrong sha256) marks the source dead
 * and is retried from another one; with no source left, the control machine pushes. Each receiver
 * verifies sha256 before the artifact gets its cache name, and staging verifies it again.
 * A host without python3 is pushed to (a fetch there exits 127); a seed whose server does not
 * come up gives its seed slot back, and once any host failed to serve, a host checks it has
 * python3 before it takes a slot — so the control machine sends ≤ k + (hosts without python3)
 * copies, and with python3 on no host every host is pushed at once.
 */
export class Relay {
  private readonly fanout: number;
  private readonly token = randomBytes(16).toString('hex');
  private readonly sources: Source[] = [];
  private readonly waiters: Array<() => void> = [];
  private seeding = 0;
  /** obtains uploading or fetching now: hosts about to become sources */
  private producing = 0;
  private closed = false;
  /** servers that never came up (python3 missing there): from then on a host checks for python3 before seeding */
  private unserved = 0;
  /** hosts checked for python3 (true: it runs) */
  private readonly python = new Map<string, boolean>();
  /** hosts whose serving broke (their connection lost): then the deploy activates nowhere */
  readonly broke: string[] = [];

  constructor(
    private readonly d: DeployContext,
    private readonly o: RelayOptions,
  ) {
    this.fanout = o.fanout ?? 4;
  }

  /** Get the artifact into this host's cache, then serve it; returns the bytes the control machine sent. */
  async obtain(s: HostSession, title: (t: string) => void): Promise<number> {
    this.producing += 1;
    try {
      for (let tries = 0; ; ) {
        if (this.seeding < this.o.seeds) {
          // a slot a seed without python3 gave back: a host without it is pushed to anyway, slot or not
          if (this.unserved && !(await this.hasPython(s))) return await this.push(s, title);
          if (this.seeding < this.o.seeds) return await this.seed(s, title);
        }
        const src = tries < FETCH_TRIES ? await this.pick(s.host.name) : undefined;
        if (src === 'seed') continue;
        tries += 1;
        if (!src) {
          s.log.line('relay: no source left to fetch from: the control machine uploads');
          return await this.push(s, title);
        }
        try {
          title(`relay from ${src.host}`);
          await s.exec(relayFetchCommand(this.d.paths, this.sha256, this.d.runId, { ...src, size: this.size }), {
            title: `relay from ${src.host} + verify sha256`,
            id: 'relay-fetch',
            stdin: `${this.token}\n`,
          });
        } catch (err) {
          if (!(err instanceof RemoteCommandError)) throw err; // this host itself: lost, or its disk
          if (err.exitCode === NO_PYTHON) return await this.push(s, title);
          if (err.exitCode === null || !SOURCE_FAILED.has(err.exitCode)) throw err;
          s.log.line(`relay: source ${src.host} failed (exit ${err.exitCode}): trying another`);
          src.dead = true;
          continue;
        } finally {
          src.active -= 1;
          this.wake();
        }
        await this.offer(s);
        return 0;
      }
    } finally {
      this.producing -= 1;
      this.wake();
    }
  }

  /** This host holds the verified artifact: serve it to others until the relay closes. False: it does not serve. */
  async offer(s: HostSession): Promise<boolean> {
    if (this.sources.some((x) => x.host === s.host.name)) return true;
    if (this.closed) return false;
    const attr = s.host.attrs.relay_address;
    const src: Source = {
      host: s.host.name,
      session: s,
      address: typeof attr === 'string' ? attr : s.target.host,
      input: new PassThrough(),
      port: 0,
      active: 0,
      dead: false,
    };
    src.input.write(`${this.token}\n`);
    let onPort: (port: number | undefined) => void = () => {};
    const ready = new Promise<number | undefined>((r) => (onPort = r));
    let text = '';
    const onStdout = (chunk: Buffer) => {
      text += chunk.toString();
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n')) {
        const line = text.slice(0, nl);
        text = text.slice(nl + 1);
        const ev = parseServeLine(line);
        if (ev?.kind === 'port') onPort(ev.port);
        else if (ev) s.log.line(`relay: ${line}`);
      }
    };
    const command = relayServeCommand(this.d.paths, this.sha256, this.o.bytesPerSecond);
    const title = 'relay: serve the artifact to other hosts';
    src.done = s
      .exec(command, { title, id: 'relay-serve', stdin: src.input, allowFailure: true, onStdout })
      .then(
        (r) => (r.code === 0 ? undefined : s.log.line(`relay: the server ended with exit ${r.code}: ${r.stderr}`)),
        (err: unknown) => {
          src.failure = err instanceof FerryError ? err : undefined;
          s.log.line(`relay: serving ended: ${(err as Error).message}`);
        },
      )
      .finally(() => {
        src.dead = true;
        onPort(undefined);
        this.wake();
      });
    const port = await ready;
    if (port === undefined) {
      this.unserved += 1;
      return false;
    }
    src.port = port;
    this.sources.push(src);
    this.wake();
    return true;
  }

  /** After staging: end every server; a host whose serving broke (its connection lost) fails here. */
  phase(): Phase {
    return {
      name: 'relay',
      run: async () => {
        this.closed = true;
        for (const x of this.sources) x.input.end();
        await Promise.all(this.sources.map((x) => x.done));
        const reports = await Promise.all(
          this.sources.map(async (x): Promise<HostReport> => {
            const steps = x.session.steps.filter((st) => st.id === 'relay-serve');
            const base = { host: x.host, durationMs: 0, channels: await x.session.channels(), steps, changes: 0 };
            if (!x.failure) return { ...base, status: 'ok' };
            const status = x.failure.kind === 'connection' ? 'unreachable' : 'failed';
            return { ...base, status, error: { kind: x.failure.kind, message: x.failure.message } };
          }),
        );
        this.broke.push(...reports.filter((r) => r.status !== 'ok').map((r) => r.host));
        return reports.length ? [reports] : [];
      },
    };
  }

  private get sha256(): string {
    return this.d.bundle?.sha256 ?? '';
  }

  private get size(): number {
    return this.d.bundle?.size ?? 0;
  }

  private async push(s: HostSession, title: (t: string) => void): Promise<number> {
    const sent = await uploadArtifact(s, this.d, title);
    await this.offer(s);
    return sent;
  }

  /** One of the k copies the control machine sends; a seed that cannot serve gives its slot back. */
  private async seed(s: HostSession, title: (t: string) => void): Promise<number> {
    this.seeding += 1;
    let serving = false;
    try {
      const sent = await uploadArtifact(s, this.d, title);
      serving = await this.offer(s);
      return sent;
    } finally {
      if (!serving) {
        this.seeding -= 1;
        this.wake();
      }
    }
  }

  /** Does python3 run on this host (checked once, only after some host could not serve)? */
  private async hasPython(s: HostSession): Promise<boolean> {
    let ok = this.python.get(s.host.name);
    if (ok === undefined) {
      const r = await s.exec(pythonCheckCommand(), {
        title: 'relay: python3 here?',
        id: 'relay-python',
        allowFailure: true,
      });
      ok = r.code !== NO_PYTHON;
      this.python.set(s.host.name, ok);
    }
    return ok;
  }

  /**
   * A live source with a free slot (the least busy), waiting while every source is busy or the
   * next ones are still arriving. A seed slot given back: 'seed'. None alive and nothing
   * arriving: undefined — this host then uploads from the control machine (one waiter at a time:
   * it counts as arriving at once).
   */
  private async pick(self: string): Promise<Source | 'seed' | undefined> {
    this.producing -= 1;
    try {
      for (;;) {
        const free = this.sources
          .filter((x) => !x.dead && x.active < this.fanout && x.host !== self)
          .sort((a, b) => a.active - b.active)[0];
        if (free) {
          free.active += 1;
          return free;
        }
        if (this.seeding < this.o.seeds) return 'seed';
        if (!this.sources.some((x) => !x.dead) && this.producing === 0) return undefined;
        await new Promise<void>((r) => this.waiters.push(r));
      }
    } finally {
      this.producing += 1;
    }
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}
