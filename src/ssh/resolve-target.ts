import { homedir } from 'node:os';
import type SSHConfig from 'ssh-config';
import type { Host } from '../inventory/types.js';
import { UsageError } from '../errors/usage-error.js';
import { lookupSshConfig } from './ssh-config.js';
import type { SshTarget } from './target.js';

export interface ConnectFlags {
  readonly identityFiles: readonly string[];
  readonly knownHostsFile?: string | undefined;
  readonly acceptNewHostKeys: boolean;
  readonly connectTimeoutMs: number;
  readonly keepaliveMs: number;
  readonly agent?: string | undefined;
}

const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((k) => `${homedir()}/.ssh/${k}`);

/** Inventory host + ~/.ssh/config + flags → a connection target. Inventory wins over ssh_config, flags over both. */
export function resolveTarget(
  host: Host,
  config: SSHConfig,
  flags: ConnectFlags,
  inventoryHosts: readonly Host[] = [],
): SshTarget {
  return resolve(host.name, host.address, host.user, host.port, config, flags, inventoryHosts, 0, host.jump);
}

function resolve(
  name: string,
  alias: string,
  user: string | undefined,
  port: number | undefined,
  config: SSHConfig,
  flags: ConnectFlags,
  inventoryHosts: readonly Host[],
  depth: number,
  jump?: string,
): SshTarget {
  if (depth > 4) throw new UsageError(`[${name}] ProxyJump chain too long`);
  const sc = lookupSshConfig(config, alias);
  const jumpSpec = jump ?? sc.proxyJump?.split(',')[0];
  return {
    name,
    host: sc.hostName ?? alias,
    port: port ?? sc.port ?? 22,
    user: user ?? sc.user ?? process.env.USER ?? 'root',
    identityFiles: flags.identityFiles.length
      ? flags.identityFiles
      : sc.identityFiles.length
        ? sc.identityFiles
        : DEFAULT_KEYS,
    agent: flags.agent,
    knownHostsFile: flags.knownHostsFile ?? sc.userKnownHostsFile ?? `${homedir()}/.ssh/known_hosts`,
    acceptNewHostKeys: flags.acceptNewHostKeys,
    jump: jumpSpec ? jumpTarget(name, jumpSpec, config, flags, inventoryHosts, depth) : undefined,
    connectTimeoutMs: flags.connectTimeoutMs,
    keepaliveMs: flags.keepaliveMs,
  };
}

/** `[user@]host[:port]`; host may be an inventory name or an ssh_config alias. */
function jumpTarget(
  name: string,
  spec: string,
  config: SSHConfig,
  flags: ConnectFlags,
  inventoryHosts: readonly Host[],
  depth: number,
): SshTarget {
  const m = /^(?:([^@]+)@)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(spec);
  if (!m?.[2]) throw new UsageError(`[${name}] cannot parse ProxyJump "${spec}"`);
  const hostPart = m[2].replace(/^\[|\]$/g, '');
  const inv = inventoryHosts.find((h) => h.name === hostPart);
  return resolve(
    `${name} via ${hostPart}`,
    inv?.address ?? hostPart,
    m[1] ?? inv?.user,
    m[3] ? Number(m[3]) : inv?.port,
    config,
    flags,
    inventoryHosts,
    depth + 1,
    inv?.jump,
  );
}
