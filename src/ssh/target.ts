/** Everything needed to open one SSH connection (resolved from inventory, ~/.ssh/config and flags). */
export interface SshTarget {
  /** inventory host name: used in every message */
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly identityFiles: readonly string[];
  /** ssh-agent socket (SSH_AUTH_SOCK) */
  readonly agent?: string | undefined;
  readonly knownHostsFile: string;
  readonly acceptNewHostKeys: boolean;
  readonly jump?: SshTarget | undefined;
  readonly connectTimeoutMs: number;
  readonly keepaliveMs: number;
}
