import type { HostSession } from '../runner/host-session.js';
import { FailedError } from '../errors/failed-error.js';
import type { LoadBalancers } from './load-balancers.js';
import type { StatRow } from '../ops/haproxy/runtime.js';
import { waitHealthy, type HealthTarget } from './health-gate.js';

export interface RollTimeouts {
  readonly drainMs: number;
  readonly healthMs: number;
  /** how long HAProxy may take to see the server UP after `ready` */
  readonly upMs: number;
}

export interface RollHostInput {
  readonly session: HostSession;
  readonly lbs: LoadBalancers;
  /** HAProxy server name (the inventory host name) */
  readonly server: string;
  /** the health URL to wait for after the action; absent on a host that runs no program (an LB) */
  readonly health: HealthTarget | undefined;
  readonly timeouts: RollTimeouts;
  /** what to do while out of rotation: restart, or switch + reload + restart */
  readonly action: (title: (t: string) => void) => Promise<void>;
  /**
   * Run while out of rotation, just before the action (a deploy's beforeSwitch hook). A failure
   * stops the host there, before the action: no revert; it is readied again as it was.
   */
  readonly before?: ((title: (t: string) => void) => Promise<void>) | undefined;
  /** run once the action passed its health gate, still out of rotation (afterSwitch); a failure reverts */
  readonly after?: ((title: (t: string) => void) => Promise<void>) | undefined;
  /**
   * When the action or the health gate fails: a deploy switches back to the previous release here
   * (then the host is readied if healthy); without it (a restart) the host stays in maint.
   */
  readonly revert?: ((title: (t: string) => void) => Promise<void>) | undefined;
  /** what the host is switched back to, for the message (e.g. the previous release's id) */
  readonly revertTo?: string | undefined;
  /**
   * When the action or the gate fails, before any revert: what the program's state says (its
   * supervisor state, the tail of its stderr log), appended to the error.
   */
  readonly diagnose?: (() => Promise<string | undefined>) | undefined;
  readonly title: (t: string) => void;
  /** record the plan only */
  readonly dryRun?: boolean;
}

/**
 * HAProxy has the server UP and in rotation. `UP n/m` counts too: leaving maint, HAProxy sets the
 * server running with its health counter at `rise`, and `show stat` labels every running server
 * whose counter is below the top as "going down" until its next check — it takes traffic all the
 * while. A real failing check shows as a failed check_status and then DOWN, which is refused.
 */
export function inRotation(r: StatRow): boolean {
  return r.state === 'UP' && (r.transition === undefined || !r.checkStatus || /OK$/.test(r.checkStatus));
}

/** `30 s`, `1.5 s`: a plan's timeouts as people say them. */
const seconds = (ms: number) => `${Number((ms / 1000).toFixed(1))} s`;

async function timed<T>(s: HostSession, id: string, title: string, f: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  try {
    const v = await f();
    s.event(id, title, true, Date.now() - t0);
    return v;
  } catch (err) {
    s.event(id, title, false, Date.now() - t0, (err as Error).message);
    throw err;
  }
}

/** Take one host out of rotation on every LB, act, prove it healthy, put it back, wait for HAProxy to see it UP. */
export async function rollHost(i: RollHostInput): Promise<void> {
  const { session: s, server, timeouts, title } = i;
  // the LBs' runtime lines are steps of this host's report too
  const lbs = i.lbs.about(s);
  const hasLb = !lbs.empty;
  if (i.dryRun) {
    const on = lbs.endpoints.map((e) => e.session.host.name).join(', ');
    if (hasLb) {
      lbs.plan(server, 'drain');
      s.planNote('lb-drained', `haproxy on ${on}: wait until scur = 0 (≤ ${seconds(timeouts.drainMs)})`);
      lbs.plan(server, 'maint');
    }
    await i.before?.(title);
    await i.action(title);
    if (i.health)
      s.planNote(
        'health',
        `health gate: GET http://${i.health.address}:${i.health.port}${i.health.path} answers 2xx (≤ ${seconds(timeouts.healthMs)})`,
      );
    await i.after?.(title);
    if (hasLb) {
      lbs.plan(server, 'ready');
      s.planNote('lb-up', `haproxy on ${on}: wait for UP`);
    }
    return;
  }
  const readyAndUp = async () => {
    if (!hasLb) return;
    title('ready in haproxy');
    const rows = await timed(s, 'lb-ready', `haproxy: ${lbs.backend}/${server} state ready`, () =>
      lbs.setStateAndStats(server, 'ready'),
    );
    title('waiting for haproxy to see it UP');
    await timed(s, 'lb-up', 'haproxy reports UP', () =>
      lbs.waitFor(server, 'server UP', inRotation, timeouts.upMs, rows),
    );
  };
  if (hasLb) {
    title('drain in haproxy');
    const rows = await timed(s, 'lb-drain', `haproxy: ${lbs.backend}/${server} state drain`, () =>
      lbs.setStateAndStats(server, 'drain'),
    );
    title('waiting for sessions to finish');
    await timed(s, 'lb-drained', 'current sessions reach 0', () =>
      lbs.waitFor(server, 'drain', (r) => r.scur === 0, timeouts.drainMs, rows),
    );
    // no traffic left: maint pauses HAProxy's checks, so the restart does not flap the server DOWN
    // and `ready` brings it back without waiting `rise` checks
    await timed(s, 'lb-maint', `haproxy: ${lbs.backend}/${server} state maint`, () => lbs.setState(server, 'maint'));
  }
  const gate = async (what: string, id: string) => {
    const health = i.health;
    if (!health) return;
    title(what);
    await timed(s, id, `${what} ${health.path}`, () => waitHealthy(s, health, timeouts.healthMs));
  };
  if (i.before) {
    try {
      await i.before(title);
    } catch (err) {
      // never switched: back in rotation on what it runs
      await readyAndUp().catch((e: unknown) => {
        throw new FailedError(
          `${(err as Error).message}\nreadying it again failed: ${(e as Error).message}`,
          s.host.name,
        );
      });
      throw err;
    }
  }
  try {
    await i.action(title);
    await gate('health gate', 'health');
    await i.after?.(title);
  } catch (err) {
    const diagnosis = await i.diagnose?.().catch((e: unknown) => `(could not read the program's state: ${e})`);
    const why = `${(err as Error).message}${diagnosis ? `\n${diagnosis}` : ''}`;
    if (!i.revert) {
      if (hasLb) await lbs.setState(server, 'maint').catch(() => undefined);
      if (hasLb) s.event('lb-maint', `haproxy: ${lbs.backend}/${server} left in maint`, true, 0);
      throw diagnosis ? new FailedError(why, s.host.name, { cause: err }) : err;
    }
    title('rolling back this host');
    try {
      await i.revert(title);
      await gate('health gate after revert', 'health-after-revert');
    } catch (revertErr) {
      if (hasLb) await lbs.setState(server, 'maint').catch(() => undefined);
      const left = hasLb ? ' (left in maint)' : '';
      throw new FailedError(`${why}\nreverting failed too: ${(revertErr as Error).message}${left}`, s.host.name);
    }
    await readyAndUp();
    const back = `switched back to ${i.revertTo ?? 'the previous release'}${hasLb ? ' and readied' : ''}`;
    const [first, ...rest] = why.split('\n');
    throw new FailedError([`${first} — ${back}`, ...rest].join('\n'), s.host.name, { cause: err });
  }
  await readyAndUp();
}
