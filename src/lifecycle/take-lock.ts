import { FailedError } from '../errors/failed-error.js';
import { LockHeldError } from '../errors/lock-error.js';
import { describeOwner, heldLockMessage, type LockOwner, type OwnerSeen } from '../ops/release/lock.js';
import { releaseProbe, type ProbeResult } from '../ops/release/probe.js';
import { afterSwitch } from '../ops/services.js';
import type { HostSession } from '../runner/host-session.js';
import type { DeployContext } from './deploy-context.js';

/**
 * What the hosts of one run learn about its locks while their start jobs run side by side: how
 * many locks it holds, how many first probes are out, and the first host where it was refused.
 */
interface LockRound {
  acquired: number;
  probing: number;
  refused?: { readonly host: string; readonly message: string; readonly owner: OwnerSeen };
}

const rounds = new WeakMap<DeployContext, LockRound>();

function roundOf(d: DeployContext): LockRound {
  let r = rounds.get(d);
  if (!r) {
    r = { acquired: 0, probing: 0 };
    rounds.set(d, r);
  }
  return r;
}

/** How long a run waits for a younger racing deploy to give up the hosts it took first. */
const RACE_WAIT_MS = 120_000;
const RACE_POLL_MS = 250;

/**
 * Two deploys racing for the same hosts take some locks each; the older run (started first, then
 * the smaller run id) wins. True when `theirs` is a younger ferry run: it will meet our lock on a
 * host and give up, so we wait for it instead of refusing.
 */
export function youngerRun(ours: LockOwner, theirs: OwnerSeen): boolean {
  if (theirs === undefined || typeof theirs === 'string' || typeof theirs.runId !== 'string') return false;
  if (theirs.runId === ours.runId) return false;
  const a = Date.parse(ours.started);
  const b = Date.parse(theirs.started);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return b > a || (b === a && theirs.runId > ours.runId);
}

/**
 * A host that took its lock stops before uploading when another host of the same run was refused:
 * the run will not activate, and the racing deploy that won waits for this lock.
 */
export function stopIfRefused(s: HostSession, d: DeployContext): void {
  const r = rounds.get(d)?.refused;
  if (r) throw new LockHeldError(s.host.name, `not staged: on ${r.host}, ${r.message}`, r.owner);
}

/** The host gets service steps (config links outside the deploy path, reloads, supervisorctl): they run as root. */
function needsRoot(d: DeployContext, s: HostSession): boolean {
  const def = d.definition;
  const mine = def.configs.filter((c) => s.host.roles.some((r) => c.roles.includes(r)));
  return mine.some((c) => c.link) || afterSwitch(def, s.host).length > 0;
}

/** sudo's own refusal line, else what it printed. */
function sudoWords(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim());
  return (
    lines.find((l) => /sudoers|not allowed|password/.test(l)) ?? (lines.filter(Boolean).join(' ') || 'sudo failed')
  );
}

function refusedAs(s: HostSession, d: DeployContext, probe: ProbeResult, stderr: string): FailedError | undefined {
  const user = probe.user ?? s.target.user;
  if (probe.lock === 'denied') {
    return new FailedError(
      `cannot take the deploy lock ${d.paths.lock} as ${user}: ${probe.denied ?? 'permission denied'} — ` +
        `the SSH user must own ${d.paths.root} (e.g. \`sudo install -d -o ${user} ${d.paths.root}\`)`,
      s.host.name,
    );
  }
  if (probe.lock === 'no-root') {
    return new FailedError(
      `${user} may not run the service steps as root (config links in /etc, reloads, supervisorctl): ` +
        `sudo said "${sudoWords(stderr)}" — nothing was locked or changed`,
      s.host.name,
    );
  }
  return undefined;
}

/**
 * Probe the host and take its deploy lock in the same round trip; with --lock-wait, retry while
 * another deploy holds it. A held lock → LockHeldError (exit 4) showing the owner, and whether it
 * is stale; a younger deploy racing this one is waited for (it gives up: see youngerRun). A user
 * who may not write the deploy path, or not sudo the service steps, fails naming the path or sudo.
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
  const raceDeadline = Date.now() + RACE_WAIT_MS;
  const env = d.definition.env;
  const python = env.kind === 'python' ? env.python : undefined;
  const lockAs = d.dryRun ? {} : { lockAs: d.owner, rootCheck: needsRoot(d, s) };
  const fact = releaseProbe({ paths: d.paths, id, sha256, python, configHash, unchangedHistory, ...lockAs });
  const round = roundOf(d);
  let first = true;
  round.probing += 1;
  for (;;) {
    title('lock + probe');
    let res: Awaited<ReturnType<HostSession['exec']>>;
    try {
      res = await s.exec(fact.command, { title: d.dryRun ? 'probe' : 'lock + probe', id: 'probe' });
    } finally {
      if (first) round.probing -= 1;
      first = false;
    }
    const probe = fact.parse(res.stdout);
    const refused = refusedAs(s, d, probe, res.stderr);
    if (refused) throw refused;
    if (probe.lock !== 'held' || d.dryRun) {
      if (probe.lock === 'acquired') round.acquired += 1;
      return probe;
    }
    const now = Date.now();
    const stake = round.acquired > 0 || round.probing > 0;
    if (!round.refused && stake && now < raceDeadline && youngerRun(d.owner, probe.owner)) {
      title(`racing deploy ${describeOwner(probe.owner, false)} holds the lock: waiting for it to give up`);
      await new Promise((r) => setTimeout(r, RACE_POLL_MS));
      continue;
    }
    if (now >= deadline) {
      const hint = `ferry unlock ${d.label.name} --hosts ${s.host.name}`;
      const message = heldLockMessage(d.paths, probe.owner, d.lockTtlMs, hint);
      round.refused ??= { host: s.host.name, message, owner: probe.owner };
      throw new LockHeldError(s.host.name, message, probe.owner);
    }
    title(`waiting for lock held by ${describeOwner(probe.owner)}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}
