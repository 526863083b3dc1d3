export interface SshConfigHost {
  name: string;
  address: string;
  port: number;
}

/** OpenSSH client config with one `Host <name>` block per fleet host. */
export function renderSshConfig(hosts: readonly SshConfigHost[], clientKey: string, knownHosts: string): string {
  return hosts
    .map((h) =>
      [
        `Host ${h.name}`,
        `  HostName ${h.address}`,
        `  Port ${h.port}`,
        '  User root',
        `  IdentityFile ${clientKey}`,
        '  IdentitiesOnly yes',
        `  UserKnownHostsFile ${knownHosts}`,
        '  StrictHostKeyChecking yes',
        '',
      ].join('\n'),
    )
    .join('\n');
}
