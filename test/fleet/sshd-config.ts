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
  /** per-host knobs (FleetHostSpec.sshd), e.g. a low MaxStartups */
  knobs?: SshdKnobs | undefined;
}

/** sshd settings a test may change on one host. */
export interface SshdKnobs {
  /** e.g. `2` (drop every unauthenticated connection past 2) or `10:30:60`; default `1000:30:2000` */
  maxStartups?: string;
  /** default ERROR; VERBOSE logs each MaxStartups drop ("drop connection #…") */
  logLevel?: string;
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
    `MaxStartups ${input.knobs?.maxStartups ?? '1000:30:2000'}`,
    'MaxSessions 100',
    `LogLevel ${input.knobs?.logLevel ?? 'ERROR'}`,
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
