import type { Client } from 'ssh2';

type GlobalRequestHandler = (
  proto: { requestSuccess(): void },
  name: string,
  wantReply: boolean,
  data: unknown,
) => void;

/** OpenSSH's announcement of all its host keys after authentication (its UpdateHostKeys). */
export const HOSTKEYS_ANNOUNCEMENT = 'hostkeys-00@openssh.com';

/**
 * sshd announces its host keys after authentication, and ssh2 answers every announcement with a
 * `hostkeys-prove-00` request: one more round trip on every connection (measured: the unchanged
 * redeploy's 3rd turn after the handshake at 50 ms RTT), a signature by each host key on the
 * server, and their checks here — for keys ferry never uses: it verifies the key of the handshake
 * against known_hosts and never learns keys from announcements. ssh2 has no option for it, so this
 * takes the announcement in its protocol's handler (set up by `connect()`), and leaves every other
 * global request to ssh2. Returns false, changing nothing, if ssh2's shape is not the expected one.
 */
export function skipHostKeysProve(client: Client): boolean {
  const handlers = (client as unknown as { _protocol?: { _handlers?: Record<string, unknown> } })._protocol?._handlers;
  const original = handlers?.GLOBAL_REQUEST;
  if (!handlers || typeof original !== 'function') return false;
  const ssh2Handler = original as GlobalRequestHandler;
  const handler: GlobalRequestHandler = (proto, name, wantReply, data) => {
    if (name !== HOSTKEYS_ANNOUNCEMENT) return ssh2Handler(proto, name, wantReply, data);
    if (wantReply) proto.requestSuccess();
  };
  handlers.GLOBAL_REQUEST = handler;
  return true;
}
