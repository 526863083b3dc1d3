import { join } from 'node:path';
import { definitionFile, loadDefinition } from '../bundle/load-definition.js';
import type { BundleDefinition } from '../bundle/definition.js';
import type { BuiltBundle } from '../bundle/cache.js';
import { UsageError } from '../errors/usage-error.js';
import { releasePaths } from '../ops/release/paths.js';
import type { DeployContext } from '../lifecycle/deploy-context.js';
import { DEFAULT_LOCK_TTL_MS, lockOwner } from '../ops/release/lock.js';
import type { RunEnv } from './run-env.js';
import { commandLine } from './command-word.js';

/** The bundle definition as the working tree has it (for releases/rollback/unlock/restart). */
export async function workingDefinition(projectDir: string, name: string): Promise<BundleDefinition> {
  const dir = join(projectDir, 'bundles', name);
  const file = definitionFile(dir);
  if (!file) throw new UsageError(`no bundle "${name}" (expected ${dir}/bundle.ts)`);
  return (await loadDefinition(file, `bundles/${name}/bundle.ts`, name)).definition;
}

export interface LockFlags {
  readonly lockWait?: number;
  readonly lockTtl?: number;
}

export function deployContext(
  env: RunEnv,
  definition: BundleDefinition,
  bundle: BuiltBundle | undefined,
  flags: LockFlags,
): DeployContext {
  const m = bundle?.manifest;
  return {
    bundle,
    definition,
    label: { name: definition.name, tag: m?.tag, commit: m?.commit },
    paths: releasePaths(definition.deployPath),
    allHosts: [],
    runId: env.runId,
    stage: env.opts.stage,
    owner: lockOwner(env.runId, commandLine()),
    dryRun: Boolean(env.opts.dryRun),
    lockWaitS: flags.lockWait ?? 0,
    lockTtlMs: flags.lockTtl !== undefined ? flags.lockTtl * 60_000 : DEFAULT_LOCK_TTL_MS,
  };
}

/**
 * Start the SSH handshakes to the hosts the flags or the working tree's definition select, while
 * the bundle is resolved and its configs rendered: the tag's definition decides in the end (a host it does not
 * select is never used; one it adds connects then). Best effort: any error here is left for the
 * real steps to report.
 */
export async function preconnectBundleHosts(env: RunEnv, name: string): Promise<void> {
  try {
    const o = env.opts;
    // hosts named by flags need no definition (its loading is not on the way to the handshakes)
    const roles =
      o.hosts?.length || o.roles?.length ? undefined : (await workingDefinition(env.projectDir, name)).roles;
    await env.preconnect(await env.select(roles ? { roles } : undefined));
  } catch {
    // reported by the build or the selection that follows
  }
}
