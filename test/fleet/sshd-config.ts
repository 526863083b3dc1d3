export interface SshdConfigInput {
  address: string;
  port: number;
  hostKey: string;
  pidFile: string;
  /** AuthorizedKeysFile value; `%u` expands to the login user */
  authorizedKeys: string;
  /** sshd ≥ 9.8 penalises repeated connections from one source: every test connects from 127.0.0.1 */
  perSourcePenalties: boolean;
  /**
   * The control machine's node when it is not the system one (test:node-matrix): hosts run the same
   * node first on PATH, as a real fleet matching its control machine would, so node bundles deploy.
   */
  nodeDir?: string | undefined;
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
  if (input.nodeDir)
    lines.push(`SetEnv PATH=${input.nodeDir}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`);
  return `${lines.join('\n')}\n`;
}
