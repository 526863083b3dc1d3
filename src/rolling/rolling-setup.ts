import type { BundleDefinition } from '../bundle/definition.js';
import type { HostSession } from '../runner/host-session.js';
import { haproxyPaths } from '../ops/services.js';
import { LoadBalancers } from './load-balancers.js';
import type { RolloutOptions } from './rollout.js';
import type { RollTimeouts } from './roll-host.js';

/** Everything a rolling deploy/restart needs besides the hosts: the LBs and the knobs. */
export interface RollingSetup {
  readonly rollout: RolloutOptions;
  readonly timeouts: RollTimeouts;
  /** sessions to every LB host of the inventory (shared with the selection where they overlap) */
  readonly lbSessions: ReadonlyMap<string, HostSession>;
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
