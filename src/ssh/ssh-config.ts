import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import SSHConfig from 'ssh-config';

/** What ~/.ssh/config says about one host alias (only the keys ferry honours). */
export interface SshConfigEntry {
  readonly hostName?: string;
  readonly user?: string;
  readonly port?: number;
  readonly identityFiles: readonly string[];
  readonly proxyJump?: string;
  readonly userKnownHostsFile?: string;
}

function expandHome(path: string): string {
  return path.startsWith('~/') ? `${homedir()}/${path.slice(2)}` : path;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

const NOTHING: SshConfigEntry = { identityFiles: [] };

export function lookupSshConfig(config: SSHConfig, alias: string): SshConfigEntry {
  // ssh-config's compute() looks the local user up (getpwuid: /etc/passwd) on every call, once per
  // host of a run; with no ~/.ssh/config there is nothing to look up
  if (config.length === 0) return NOTHING;
  const c = config.compute(alias);
  const ids = c.IdentityFile;
  const port = first(c.Port);
  const proxyJump = first(c.ProxyJump);
  const hostName = first(c.HostName);
  const user = first(c.User);
  const known = first(c.UserKnownHostsFile);
  return {
    ...(hostName ? { hostName: hostName.replace(/%h/g, alias) } : {}),
    ...(user ? { user } : {}),
    ...(port ? { port: Number(port) } : {}),
    identityFiles: (Array.isArray(ids) ? ids : ids ? [ids] : []).map(expandHome),
    ...(proxyJump && proxyJump !== 'none' ? { proxyJump } : {}),
    ...(known ? { userKnownHostsFile: expandHome(known.split(/\s+/)[0] ?? known) } : {}),
  };
}

/** Load an ssh_config file; a missing file is an empty config. */
export async function loadSshConfig(file = `${homedir()}/.ssh/config`): Promise<SSHConfig> {
  try {
    return SSHConfig.parse(await readFile(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return SSHConfig.parse('');
    throw err;
  }
}
