import { setMaxListeners } from 'node:events';

/**
 * Ctrl-C during a command: the first SIGINT aborts the returned signal (sessions signal and close
 * their remote commands, the report says which hosts were interrupted, exit 130); a second one
 * ends ferry at once (the default action). `dispose` when the command is done.
 */
export function catchInterrupt(): { readonly signal: AbortSignal; dispose(): void } {
  const ac = new AbortController();
  // every host session and running command listens: no "possible leak" warning past 10 hosts
  setMaxListeners(0, ac.signal);
  const second = () => {
    process.removeListener('SIGINT', second);
    process.kill(process.pid, 'SIGINT');
  };
  const first = () => {
    process.removeListener('SIGINT', first);
    process.on('SIGINT', second);
    process.stderr.write('\nferry: interrupted: stopping the remote commands (Ctrl-C again to quit now)\n');
    ac.abort();
  };
  process.on('SIGINT', first);
  return {
    signal: ac.signal,
    dispose() {
      process.removeListener('SIGINT', first);
      process.removeListener('SIGINT', second);
    },
  };
}
