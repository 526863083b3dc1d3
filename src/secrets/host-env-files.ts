import { join, relative } from 'node:path';
import type { BundleDefinition } from '../bundle/definition.js';
import { renderEnvFile, type RenderedEnvFile } from '../bundle/env-file.js';
import { definitionFile } from '../bundle/load-definition.js';
import type { Host } from '../inventory/types.js';
import { resolveSecrets } from './resolve.js';

export interface EnvFileLookup {
  readonly projectDir: string;
  readonly stage?: string | undefined;
  readonly env: NodeJS.ProcessEnv;
}

/** How errors name a bundle's definition: `bundles/<name>/bundle.ts` (or .yaml, as the folder has it). */
export function bundleFileShown(projectDir: string, name: string): string {
  const file = definitionFile(join(projectDir, 'bundles', name));
  return file ? relative(projectDir, file) : `bundles/${name}/bundle.ts`;
}

/**
 * Every selected host's env file, rendered before any host is touched: a missing secret or
 * attribute, or a map where a value belongs, fails here (exit 2), with nothing uploaded anywhere.
 * Undefined when the bundle has no `envFile`.
 */
export async function hostEnvFiles(
  def: BundleDefinition,
  hosts: readonly Host[],
  lookup: EnvFileLookup,
): Promise<Map<string, RenderedEnvFile> | undefined> {
  if (!def.envFile) return undefined;
  const bundleFile = bundleFileShown(lookup.projectDir, def.name);
  const secrets = await resolveSecrets(def, { ...lookup, bundleFile });
  const out = new Map<string, RenderedEnvFile>();
  for (const h of hosts) {
    const env = renderEnvFile(def, h, secrets, bundleFile);
    if (env) out.set(h.name, env);
  }
  return out;
}
