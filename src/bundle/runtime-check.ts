import { FailedError } from '../errors/index.js';
import type { Manifest } from './manifest.js';
import type { BundleDefinition } from './definition.js';
import type { Host } from '../inventory/types.js';
import type { HostRuntime } from '../facts/runtime.js';

/**
 * Whether `host` runs the bundle's program (so its env must be runnable there): it gets the
 * supervisor config; a bundle without one runs on every host of its roles. An LB host that
 * only gets haproxy.cfg needs no node or python.
 */
export function needsRuntime(def: Pick<BundleDefinition, 'configs' | 'roles'>, host: Pick<Host, 'roles'>): boolean {
  const sup = def.configs.filter((c) => c.validate === 'supervisor');
  const roles = sup.length > 0 ? sup.flatMap((c) => c.roles) : def.roles;
  return host.roles.some((r) => roles.includes(r));
}

export type { HostRuntime } from '../facts/runtime.js';

const major = (v: string): string => v.replace(/^v/, '').split('.')[0] ?? '';
const minor = (v: string): string => v.split('.').slice(0, 2).join('.');

/**
 * Refuse to stage a bundle on a host that cannot run its env: node major / platform / arch
 * differing from the build (native modules), or another python major.minor than the venv's.
 */
export function checkRuntime(manifest: Pick<Manifest, 'id' | 'env'>, host: string, runtime: HostRuntime): void {
  const { env } = manifest;
  if (env.kind === 'node' && env.node) {
    const b = env.node;
    const h = runtime.node;
    if (!h)
      throw new FailedError(
        `${manifest.id} needs node ${b.version} (${b.platform}/${b.arch}); the host has no node`,
        host,
      );
    if (major(h.version) !== major(b.version) || h.arch !== b.arch || h.platform !== b.platform) {
      throw new FailedError(
        `${manifest.id} was built with node ${b.version} on ${b.platform}/${b.arch}, ` +
          `the host runs node ${h.version} on ${h.platform}/${h.arch}: ` +
          'node_modules may hold native code for another runtime; ' +
          'rebuild on a matching control machine or upgrade the host',
        host,
      );
    }
  }
  if (env.kind === 'python' && env.python) {
    const b = env.python;
    const h = runtime.python;
    if (!h)
      throw new FailedError(`${manifest.id} needs ${b.interpreter} (python ${b.version}); not found on the host`, host);
    if (minor(h.version) !== minor(b.version)) {
      throw new FailedError(
        `${manifest.id}'s venv was built with python ${b.version}, the host's ${b.interpreter} is ${h.version}`,
        host,
      );
    }
  }
}
