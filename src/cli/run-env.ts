import { randomBytes } from 'node:crypto';
import { resolve, join } from 'node:path';
import type SSHConfig from 'ssh-config';
import { loadInventory } from '../project/load-inventory.js';
import { parseSetFlags } from '../inventory/set-flags.js';
import { selectHosts } from '../inventory/select.js';
import { shardLabel } from '../inventory/shard.js';
import { failedHostsOf } from '../runner/only-failed.js';
import { checkFdLimit } from '../runner/fd-limit.js';
import type { Host, Inventory } from '../inventory/types.js';
import { loadSshConfig } from '../ssh/ssh-config.js';
import { resolveTarget } from '../ssh/resolve-target.js';
import type { SshTarget } from '../ssh/target.js';
import { EarlyConnections } from '../ssh/early-connections.js';
import { UsageError } from '../errors/usage-error.js';
import type { Selection } from '../task/types.js';
import type { GlobalOptions } from './global-options.js';
import { promptPassword } from './prompt-password.js';
import type { RunHostsOptions } from '../runner/run-hosts.js';

/** Everything a command needs, assembled once from the global flags. */
export interface RunEnv {
  readonly opts: GlobalOptions;
  readonly projectDir: string;
  readonly runId: string;
  readonly logDir: string;
  inventory(): Promise<Inventory>;
  /** the selected hosts (flags, else the command's default selection); `whole`: ignore --shard */
  select(defaults?: Selection, o?: { readonly whole?: boolean }): Promise<Host[]>;
  targets(hosts: readonly Host[]): Promise<Map<string, SshTarget>>;
  sudoPassword(): Promise<string | undefined>;
  runOptions(hosts: readonly Host[]): Promise<RunHostsOptions>;
  /** start the SSH handshakes to these hosts (up to -j of them) now, while the command works locally */
  preconnect(hosts: readonly Host[]): Promise<void>;
  /** close what preconnect opened and nothing used: call when the command ends, whatever happened */
  close(): Promise<void>;
  readonly tty: boolean;
}

export function makeRunEnv(opts: GlobalOptions): RunEnv {
  const projectDir = resolve(opts.project ?? process.cwd());
  const runId = `${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${randomBytes(3).toString('hex')}`;
  const logDir = join(projectDir, '.ferry', 'logs', runId);
  let inv: Promise<Inventory> | undefined;
  let sshConfig: Promise<SSHConfig> | undefined;
  let sudo: Promise<string | undefined> | undefined;
  const early = new EarlyConnections();
  /** --only-failed: of the selection, exactly the hosts the report marks failed (all of them must be selected) */
  const onlyFailed = (failed: readonly string[], picked: Host[], whole: readonly Host[]): Host[] => {
    const file = opts.onlyFailed;
    const lost = failed.filter((f) => !whole.some((h) => h.name === f));
    if (lost.length)
      throw new UsageError(
        `--only-failed ${file}: ${lost.join(', ')} failed there but this command does not select it`,
      );
    const mine = picked.filter((h) => failed.includes(h.name));
    if (!mine.length)
      throw new UsageError(`--only-failed ${file}: none of its ${failed.length} failed host(s) is in this shard`);
    return mine;
  };
  let shardShown = false;
  const tty = Boolean(process.stdout.isTTY && process.stderr.isTTY) && !process.env.CI;
  const env: RunEnv = {
    opts,
    projectDir,
    runId,
    logDir,
    tty,
    inventory() {
      inv ??= parseSetFlags(opts.set, opts.setJson).then((set) =>
        loadInventory(resolve(projectDir, opts.inventory ?? 'inventory.yaml'), { set }),
      );
      return inv;
    },
    async select(defaults, o) {
      const i = await env.inventory();
      const failed = opts.onlyFailed ? await failedHostsOf(resolve(opts.onlyFailed), opts.stage) : undefined;
      const named = opts.hosts ?? (failed && !opts.roles && !defaults ? failed : undefined);
      const hosts = named ?? (opts.roles ? undefined : defaults?.hosts);
      const roles = opts.roles ?? (named ? undefined : defaults?.roles);
      if (!hosts?.length && !roles?.length)
        throw new UsageError('no hosts selected: pass --hosts NAMES or --roles ROLES');
      const shard = o?.whole ? undefined : opts.shard;
      let picked = selectHosts(i, { hosts, roles, shard });
      if (failed && !o?.whole) picked = onlyFailed(failed, picked, selectHosts(i, { hosts, roles }));
      if (shard && opts.dryRun && !shardShown) {
        shardShown = true;
        const of = selectHosts(i, { hosts, roles }).length;
        (opts.json === true ? process.stderr : process.stdout).write(
          `shard ${shardLabel(shard)}: ${picked.length} of ${of} selected host(s): ${picked.map((h) => h.name).join(', ')}\n`,
        );
      }
      return picked;
    },
    async targets(hosts) {
      sshConfig ??= loadSshConfig(opts.sshConfig);
      const config = await sshConfig;
      const all = (await env.inventory()).hosts;
      const flags = {
        identityFiles: opts.identity.map((f) => resolve(f)),
        knownHostsFile: opts.knownHosts ? resolve(opts.knownHosts) : undefined,
        acceptNewHostKeys: Boolean(opts.acceptNewHostKeys),
        connectTimeoutMs: opts.connectTimeout * 1000,
        keepaliveMs: 15_000,
        agent: process.env.SSH_AUTH_SOCK,
      };
      return new Map(hosts.map((h) => [h.name, resolveTarget(h, config, flags, all)]));
    },
    sudoPassword() {
      sudo ??= opts.sudoPasswordPrompt
        ? promptPassword('sudo password (asked once, for every host): ')
        : Promise.resolve(process.env.FERRY_SUDO_PASSWORD || undefined);
      return sudo;
    },
    async runOptions(hosts) {
      return {
        hosts,
        targets: await env.targets(hosts),
        parallel: opts.serial ? 1 : opts.parallel,
        failFast: Boolean(opts.failFast),
        logDir,
        sudoPassword: await env.sudoPassword(),
        tty,
        toStderr: opts.json === true,
        dryRun: Boolean(opts.dryRun),
        early,
      };
    },
    async preconnect(hosts) {
      // never more at once than -j allows: the rest connect when their turn comes
      const first = hosts.slice(0, opts.serial ? 1 : opts.parallel);
      checkFdLimit(first.length, 'parallel');
      // returns once the handshakes are under way: CPU-heavy work after this (loading the bundle
      // definition, rendering) no longer delays their start
      await early.start((await env.targets(first)).values());
    },
    close() {
      return early.closeUnused();
    },
  };
  return env;
}
