import type { BundleDefinition } from '../bundle/definition.js';
import type { HostSession } from '../runner/host-session.js';
import { haproxyPaths } from '../ops/services.js';
import { DEFAULT_MAX_FAIL } from './batches.js';
import { LoadBalancers } from './load-balancers.js';
import type { RolloutOptions } from './rollout.js';
import type { RollTimeouts } from './roll-host.js';
import type { ErrorGateOptions } from './error-gate.js';

/**
 * How an activation or restart goes: batch by batch behind HAProxy (`--batch`), or a plain one —
 * every host in one batch, no drain — with the same health gate, revert and `--max-fail` budget.
 */
export interface RollingSetup {
  readonly rollout: RolloutOptions;
  readonly timeouts: RollTimeouts;
  /** sessions to every LB host of the inventory (shared with the selection where they overlap); empty when plain */
  readonly lbSessions: ReadonlyMap<string, HostSession>;
  /** `--batch` given: hosts are drained in HAProxy batch by batch; false: every host at once (bounded by -j) */
  readonly batched: boolean;
  /** `--max-error-rate`: watch each batch's 5xx share in HAProxy once it is back in rotation */
  readonly errorGate?: ErrorGateOptions | undefined;
}

export const DEFAULT_TIMEOUTS: RollTimeouts = { drainMs: 30_000, healthMs: 30_000, upMs: 30_000 };

/** A plain activation: every host at once, no drain, gated; `--max-fail` 0 unless told. */
export function plainSetup(
  o: Partial<Pick<RolloutOptions, 'maxFail'>> & { timeouts?: RollTimeouts } = {},
): RollingSetup {
  return {
    rollout: { batch: { kind: 'percent', value: 100 }, maxFail: o.maxFail ?? DEFAULT_MAX_FAIL, pauseMs: 0 },
    timeouts: o.timeouts ?? DEFAULT_TIMEOUTS,
    lbSessions: new Map(),
    batched: false,
  };
}

/** The bundle's backend on every LB host, each through its own session. */
export function loadBalancersFor(def: BundleDefinition, setup: RollingSetup): LoadBalancers {
  if (!def.haproxy) return new LoadBalancers([], '');
  const endpoints = [...setup.lbSessions.values()].map((session) => ({
    session,
    socket: haproxyPaths(def, session.host).socket,
  }));
  return new LoadBalancers(endpoints, def.haproxy.backend);
}

/** Is this host an LB of the bundle (it gets the haproxy config, not the program)? */
export function isLbHost(def: BundleDefinition, roles: readonly string[]): boolean {
  return Boolean(def.haproxy && roles.some((r) => def.haproxy?.roles.includes(r)));
}

/** Does this host run the bundle's program (it gets a supervisor config)? Only such a host has a health URL. */
export function runsProgram(def: BundleDefinition, roles: readonly string[]): boolean {
  return def.configs.some((c) => c.validate === 'supervisor' && roles.some((r) => c.roles.includes(r)));
}
