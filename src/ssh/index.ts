export { SshConnection } from './connection.js';
export type { SshTarget } from './target.js';
export { remoteExec, type RemoteExecOptions, type RemoteExecResult } from './remote-exec.js';
export { loadSshConfig, lookupSshConfig, type SshConfigEntry } from './ssh-config.js';
export { parseKnownHosts, hostToken, appendKnownHost } from './known-hosts.js';
export { fingerprint } from './host-key.js';
