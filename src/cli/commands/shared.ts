import { Option, type Command as Program } from 'commander';
import { UsageError } from '../../errors/usage-error.js';
import { closeSessions } from '../../lifecycle/sessions.js';
import type { RollingSetup } from '../../rolling/rolling-setup.js';

/** Run with the LB sessions of a rolling setup, closing them whatever happens. */
export async function withSetup<T>(setup: RollingSetup | undefined, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } finally {
    if (setup) await closeSessions(setup.lbSessions);
  }
}

const num = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`${name} expects a number of seconds/minutes, got "${v}"`);
  return n;
};

/** --lock-wait / --lock-ttl, for every command that takes the deploy lock. */
export function lockOptions(p: Program): Program {
  return p
    .addOption(
      new Option('--lock-wait <seconds>', 'wait this long for a held deploy lock').argParser(num('--lock-wait')),
    )
    .addOption(
      new Option('--lock-ttl <minutes>', 'report locks older than this as stale (default 60)').argParser(
        num('--lock-ttl'),
      ),
    );
}

export { commandLine } from '../command-word.js';
