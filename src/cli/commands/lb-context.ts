import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { BundleDefinition } from '../../bundle/definition.js';
import { definitionFile } from '../../bundle/load-definition.js';
import { UsageError } from '../../errors/usage-error.js';
import type { StatRow } from '../../ops/haproxy/runtime.js';
import type { LbInput } from '../../lifecycle/lb.js';
import type { RunEnv } from '../run-env.js';
import { deployContext, workingDefinition } from '../bundle-context.js';
import { commandLine } from './shared.js';

export type HaproxyBundle = BundleDefinition & { readonly haproxy: NonNullable<BundleDefinition['haproxy']> };

function withHaproxy(def: BundleDefinition): HaproxyBundle {
  if (!def.haproxy) throw new UsageError(`bundle ${def.name} declares no haproxy backend (bundle.ts: haproxy)`);
  return def as HaproxyBundle;
}

/** The named bundle, or the project's only bundle with an haproxy backend. */
export async function lbBundle(env: RunEnv, name: string | undefined): Promise<HaproxyBundle> {
  if (name !== undefined) return withHaproxy(await workingDefinition(env.projectDir, name));
  const dir = join(env.projectDir, 'bundles');
  const names = (await readdir(dir, { withFileTypes: true }).catch(() => []))
    .filter((d) => d.isDirectory() && definitionFile(join(dir, d.name)))
    .map((d) => d.name)
    .sort();
  const defs = await Promise.all(names.map((n) => workingDefinition(env.projectDir, n)));
  const lb = defs.filter((d) => d.haproxy);
  const only = lb[0];
  if (lb.length === 1 && only) return withHaproxy(only);
  if (lb.length === 0) throw new UsageError(`no bundle in ${dir} declares an haproxy backend`);
  throw new UsageError(`several bundles have an haproxy backend (${lb.map((d) => d.name).join(', ')}): pass --bundle`);
}

/** The bundle's LB hosts (its haproxy roles; --hosts/--roles narrow them) and the input of lifecycle/lb.ts. */
export async function lbInput(env: RunEnv, def: HaproxyBundle): Promise<LbInput> {
  const roles = def.haproxy.roles;
  const lbs = (await env.select({ roles })).filter((h) => h.roles.some((r) => roles.includes(r)));
  if (lbs.length === 0)
    throw new UsageError(`no selected host has an LB role of bundle ${def.name} (${roles.join(', ')})`);
  const ctx = deployContext(env, def, undefined, {});
  return { ctx, run: await env.runOptions(lbs), command: commandLine() };
}

/** Backends HAProxy knows on every LB read (without ferry's maintenance switch). */
function backendsOf(rows: ReadonlyMap<string, readonly StatRow[]>): string[] {
  const all = [...rows.values()].map(
    (r) => new Set(r.filter((x) => x.type === 'backend' && x.pxname !== 'ferry_maintenance').map((x) => x.pxname)),
  );
  const first = all[0] ?? new Set<string>();
  return [...first].filter((b) => all.every((s) => s.has(b)));
}

/** An unknown backend is the user's mistake: exit 2, naming it and the valid ones. */
export function checkBackends(rows: ReadonlyMap<string, readonly StatRow[]>, wanted: readonly string[]): void {
  const known = backendsOf(rows);
  const bad = wanted.filter((b) => !known.includes(b));
  if (bad.length)
    throw new UsageError(`unknown haproxy backend ${bad.join(', ')}: the LBs have ${known.join(', ') || 'none'}`);
}

/** Hosts that are not servers of `backend` on every LB: exit 2, naming them and the valid ones. */
export function checkServers(
  rows: ReadonlyMap<string, readonly StatRow[]>,
  backend: string,
  hosts: readonly string[],
): void {
  checkBackends(rows, [backend]);
  const sets = [...rows.values()].map(
    (r) => new Set(r.filter((x) => x.type === 'server' && x.pxname === backend).map((x) => x.svname)),
  );
  const known = [...(sets[0] ?? [])].filter((s) => sets.every((x) => x.has(s)));
  const bad = hosts.filter((h) => !known.includes(h));
  if (bad.length)
    throw new UsageError(
      `unknown host ${bad.join(', ')}: not a server of haproxy backend ${backend} (servers: ${known.join(', ') || 'none'})`,
    );
}
