import { ENV_TARGET, type RenderedEnvFile } from '../bundle/env-file.js';
import type { RenderedConfig } from '../bundle/render.js';
import type { HostSession } from '../runner/host-session.js';
import type { TarFile } from './configs-tar.js';

/**
 * A host's config set with its env file: the files of the stage command's stdin tar (the env file
 * as `.ferry-env`, 0600) and what the config hash covers (the owner too: another owner is another chown).
 */
export function withEnvFile(
  configs: readonly RenderedConfig[],
  env: RenderedEnvFile | undefined,
): { files: TarFile[]; hashed: TarFile[] } {
  if (!env) return { files: [...configs], hashed: [...configs] };
  const files = [...configs, { target: ENV_TARGET, content: env.content, mode: 0o600 }];
  return { files, hashed: env.owner ? [...files, { target: `${ENV_TARGET}.owner`, content: env.owner }] : files };
}

/** --dry-run: the env file as it would be written, every secret as `***`. */
export function planEnvFile(s: HostSession, env: RenderedEnvFile | undefined): void {
  if (env)
    s.planNote('env-file', `env file ${env.path} (0600, sent on stdin): ${env.shown.trimEnd().split('\n').join(' ')}`);
}
