import { UsageError } from '../errors/usage-error.js';
import type { Host } from './types.js';

/** `--shard i/n`: the i-th of n slices of the selected hosts (1-based, as CI matrices count). */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count)
    throw new UsageError(`--shard expects i/n with 1 ≤ i ≤ n (e.g. 3/8), got "${text}"`);
  return { index, count };
}

export const shardLabel = (s: Shard): string => `${s.index}/${s.count}`;

/** Numbers inside names compare as numbers (web2 < web10); the rest by code point, never by locale. */
export function naturalCompare(a: string, b: string): number {
  const chunks = (s: string) => s.match(/\d+|\D+/g) ?? [];
  const x = chunks(a);
  const y = chunks(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i] ?? '';
    const q = y[i] ?? '';
    if (p === q) continue;
    const numeric = /^\d/.test(p) && /^\d/.test(q);
    if (numeric && BigInt(p) !== BigInt(q)) return BigInt(p) < BigInt(q) ? -1 : 1;
    return p < q ? -1 : 1;
  }
  return x.length - y.length || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * Shard number (1..n) of every host. Hosts are grouped by their role set; the groups are taken in
 * order of that set's name, the hosts of a group in natural name order, and the whole sequence is
 * dealt round-robin. So every role group (and the total) is split within ±1 host — a hash
 * (rendezvous, jump) only balances on average, and 20 hosts in 4 shards could land 8/2/5/5, or put
 * every LB in one shard. It depends only on names and roles, never on inventory order or the
 * machine: every CI job computes the same slices from the same inventory, and the stage records
 * (lifecycle/stage-record.ts) refuse an activation whose inventory sliced differently.
 */
export function shardAssignment(hosts: readonly Host[], count: number): Map<string, number> {
  const groups = new Map<string, string[]>();
  for (const h of hosts) {
    const key = [...h.roles].sort().join(',');
    const names = groups.get(key) ?? [];
    names.push(h.name);
    groups.set(key, names);
  }
  const out = new Map<string, number>();
  let k = 0;
  for (const key of [...groups.keys()].sort()) {
    for (const name of (groups.get(key) ?? []).sort(naturalCompare)) out.set(name, (k++ % count) + 1);
  }
  return out;
}

/** The hosts of one shard, in the order given. An empty shard is a usage error (more shards than hosts). */
export function shardOf(hosts: readonly Host[], shard: Shard): Host[] {
  const at = shardAssignment(hosts, shard.count);
  const mine = hosts.filter((h) => at.get(h.name) === shard.index);
  if (mine.length === 0)
    throw new UsageError(
      `shard ${shardLabel(shard)} of ${hosts.length} selected host(s) is empty: use at most ${hosts.length} shards`,
    );
  return mine;
}
