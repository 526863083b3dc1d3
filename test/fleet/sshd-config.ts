export interface SshdConfigInput {
  address: string;
  port: number;
  hostKey: string;
  pidFile: string;
  /** AuthorizedKeysFile value; `%u` expands to the login user */
  authorizedKeys: string;
  /** sshd ≥ 9.8 penalises repeated connections from one source: every test connects from 127.0.0.1 */
  perSourcePenalties: boolean;
}

/** sshd_config of one fleet host. */
export function renderSshdConfig(input: SshdConfigInput): string {
  const lines = [
    `ListenAddress ${input.address}:${input.port}`,
    'AddressFamily inet',
    `HostKey ${input.hostKey}`,
    `PidFile ${input.pidFile}`,
    `AuthorizedKeysFile ${input.authorizedKeys}`,
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    'UsePAM no',
    'StrictModes no',
    'MaxStartups 1000:30:2000',
    'MaxSessions 100',
    'LogLevel ERROR',
    'AllowStreamLocalForwarding yes',
    'AllowTcpForwarding yes',
    'X11Forwarding no',
    'PrintMotd no',
    'PrintLastLog no',
    'UseDNS no',
    'Subsystem sftp internal-sftp',
  ];
  if (input.perSourcePenalties) lines.push('PerSourcePenalties no');
  return `${lines.join('\n')}\n`;
}
