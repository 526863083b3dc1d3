import type { BuiltBundle } from '../bundle/cache.js';
import type { BundleDefinition } from '../bundle/definition.js';
import type { Host } from '../inventory/types.js';
import type { ReleasePaths } from '../ops/release/paths.js';
import type { LockOwner } from '../ops/release/lock.js';
import type { Relay } from './relay.js';
import type { RenderedEnvFile } from '../bundle/env-file.js';

/** What every phase of a deploy/rollback/restart shares. */
export interface DeployContext {
  /** the artifact being deployed (deploy only; rollback and restart have none) */
  readonly bundle?: BuiltBundle | undefined;
  readonly definition: BundleDefinition;
  /** what history lines say about the release (name, tag, commit) */
  readonly label: { readonly name: string; readonly tag?: string | undefined; readonly commit?: string | undefined };
  readonly paths: ReleasePaths;
  readonly allHosts: readonly Host[];
  readonly runId: string;
  /** the stage this run targets, recorded in history */
  readonly stage?: string | undefined;
  readonly owner: LockOwner;
  readonly dryRun: boolean;
  /** seconds to wait for a held lock */
  readonly lockWaitS: number;
  readonly lockTtlMs: number;
  /** --relay k: hosts pass the artifact on (deploy only; absent: the control machine pushes to every host) */
  readonly relay?: Relay | undefined;
  /** each host's env file (deploy of a bundle with `envFile`), rendered before any host is touched */
  readonly envFiles?: ReadonlyMap<string, RenderedEnvFile> | undefined;
}
