import { LockHeldError } from '../errors/lock-error.js';
import { parseProbe, type ProbeResult } from '../facts/release/probe.js';
import { probeCommand } from '../ops/release/probe.js';
import type { HostSession } from '../runner/host-session.js';
import type { DeployContext } from './deploy-context.js';
import { describeOwner, staleReason } from './lock-state.js';

/**
 * Probe the host and take its deploy lock in the same round trip; with --lock-wait, retry while
 * another deploy holds it. A held lock → LockHeldError (exit 4) showing the owner, and whether it is stale.
 */
export async function takeLockAndProbe(
  s: HostSession, d: DeployContext, id: string, sha256: string | undefined, title: (t: string) => void, configHash?: string, unchangedHistory?: string,
): Promise<ProbeResult> {
  const deadline = Date.now() + d.lockWaitS * 1000;
  for (;;) {
    title('lock + probe');
    const env = d.definition.env;
    const python = env.kind === 'python' ? env.python : undefined;
    const command = probeCommand({ paths: d.paths, id, sha256, python, configHash, unchangedHistory, ...(d.dryRun ? {} : { lockAs: d.owner }) });
    const res = await s.exec(command, { title: d.dryRun ? 'probe' : 'lock + probe', id: 'probe' });
    const probe = parseProbe(res.stdout);
    if (probe.lock !== 'held' || d.dryRun) return probe;
    if (Date.now() >= deadline) {
      const stale = staleReason(probe.owner, d.lockTtlMs);
      throw new LockHeldError(
        s.host.name,
        `${d.paths.lock} is held by ${describeOwner(probe.owner)}` +
          (stale ? ` — STALE (${stale}); inspect, then remove it with \`ferry unlock ${d.label.name} --hosts ${s.host.name}\`` : ''),
        probe.owner,
      );
    }
    title(`waiting for lock held by ${describeOwner(probe.owner)}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}
