import { LockHeldError } from '../errors/lock-error.js';
import { describeOwner, heldLockMessage } from '../ops/release/lock.js';
import { releaseProbe, type ProbeResult } from '../ops/release/probe.js';
import type { HostSession } from '../runner/host-session.js';
import type { DeployContext } from './deploy-context.js';

/**
 * Probe the host and take its deploy lock in the same round trip; with --lock-wait, retry while
 * another deploy holds it. A held lock → LockHeldError (exit 4) showing the owner, and whether it is stale.
 */
export async function takeLockAndProbe(
  s: HostSession,
  d: DeployContext,
  id: string,
  sha256: string | undefined,
  title: (t: string) => void,
  configHash?: string,
  unchangedHistory?: string,
): Promise<ProbeResult> {
  const deadline = Date.now() + d.lockWaitS * 1000;
  const env = d.definition.env;
  const python = env.kind === 'python' ? env.python : undefined;
  const lockAs = d.dryRun ? {} : { lockAs: d.owner };
  const fact = releaseProbe({ paths: d.paths, id, sha256, python, configHash, unchangedHistory, ...lockAs });
  for (;;) {
    title('lock + probe');
    const res = await s.exec(fact.command, { title: d.dryRun ? 'probe' : 'lock + probe', id: 'probe' });
    const probe = fact.parse(res.stdout);
    if (probe.lock !== 'held' || d.dryRun) return probe;
    if (Date.now() >= deadline) {
      const hint = `ferry unlock ${d.label.name} --hosts ${s.host.name}`;
      throw new LockHeldError(s.host.name, heldLockMessage(d.paths, probe.owner, d.lockTtlMs, hint), probe.owner);
    }
    title(`waiting for lock held by ${describeOwner(probe.owner)}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}
