import type { SshdKnobs } from './sshd-config.js';

/** One host definition in `FleetOptions.hosts`. */
export interface FleetHostSpec {
  name: string;
  roles?: string[];
  attrs?: Record<string, unknown>;
  /** this host's sshd settings (MaxStartups, LogLevel) */
  sshd?: SshdKnobs;
}

export interface FleetOptions {
  /** a number N means `h1..hN` with role `app` */
  hosts: number | FleetHostSpec[];
  /** more absolute paths to privatize per host (in addition to DEFAULT_VIEWS) */
  extraViews?: string[];
  /** sshd port on every host address (default 2222) */
  port?: number;
  /** work folder (default: a fresh mkdtemp under os.tmpdir()) */
  dir?: string;
  /** keep `dir` after stop() */
  keep?: boolean;
  /** merged into the written inventory.yaml */
  extraInventory?: {
    defaults?: Record<string, unknown>;
    roles?: Record<string, { attrs?: Record<string, unknown> }>;
  };
  /**
   * Start sshd detached from this process (own session, no parent-death signal, no exit handler):
   * the fleet outlives the process. Used by `cli.ts up`.
   */
  detached?: boolean;
  /** how long to wait for every host's SSH banner (default 30 s + 100 ms per host) */
  readyTimeoutMs?: number;
}

export interface FleetHost {
  name: string;
  address: string;
  port: number;
  roles: string[];
  attrs: Record<string, unknown>;
  /** control-machine folder holding this host's views: `${root}/srv` is the host's /srv */
  root: string;
  /** pid of the host's sshd listener */
  pid: number;
  /** the host's mount namespace, as `readlink /proc/<pid>/ns/mnt` shows it (`mnt:[4026532…]`) */
  mountNamespace: string;
}

export interface ExecOptions {
  /** login user (default root) */
  user?: string;
  /** written to the remote command's stdin */
  input?: string;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Fleet {
  dir: string;
  hosts: FleetHost[];
  /** private key accepted for root and ferrytest on every host */
  clientKey: string;
  /** plain OpenSSH known_hosts with every host's key */
  knownHosts: string;
  inventoryFile: string;
  /** OpenSSH client config: `ssh -F <sshConfig> <name>` */
  sshConfig: string;
  /** arguments (without the leading `ssh`) for the system ssh client to reach that host; append a command */
  sshArgs(host: FleetHost, user?: string): string[];
  /** runs `script` on the host via the system ssh client (inside the host's namespace) */
  exec(host: FleetHost, script: string, options?: ExecOptions): Promise<ExecResult>;
  /** the host by inventory name; throws if unknown */
  host(name: string): FleetHost;
  /** kill every process of every host, remove `dir` unless `keep`; idempotent */
  stop(): Promise<void>;
}
