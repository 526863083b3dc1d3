import { FailedError } from '../errors/index.js';
import { cmd } from '../shell/command.js';
import type { Fact } from '../facts/fact.js';
import type { Manifest } from './manifest.js';
import type { BundleDefinition } from './definition.js';
import type { Host } from '../inventory/types.js';

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

/** What a host offers to run a bundle: `node` and the venv's python, as found on its PATH / path. */
export interface HostRuntime {
  readonly node?: { readonly version: string; readonly platform: string; readonly arch: string } | undefined;
  readonly python?: { readonly version: string } | undefined;
}

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
    if (!h) throw new FailedError(`[${host}] ${manifest.id} needs node ${b.version} (${b.platform}/${b.arch}); the host has no node`, host);
    if (major(h.version) !== major(b.version) || h.arch !== b.arch || h.platform !== b.platform) {
      throw new FailedError(
        `[${host}] ${manifest.id} was built with node ${b.version} on ${b.platform}/${b.arch}, the host runs node ${h.version} on ${h.platform}/${h.arch}: ` +
          `node_modules may hold native code for another runtime; rebuild on a matching control machine or upgrade the host`,
        host,
      );
    }
  }
  if (env.kind === 'python' && env.python) {
    const b = env.python;
    const h = runtime.python;
    if (!h) throw new FailedError(`[${host}] ${manifest.id} needs ${b.interpreter} (python ${b.version}); not found on the host`, host);
    if (minor(h.version) !== minor(b.version)) {
      throw new FailedError(`[${host}] ${manifest.id}'s venv was built with python ${b.version}, the host's ${b.interpreter} is ${h.version}`, host);
    }
  }
}

/** Read-only probe of the node runtime on a host (null when node is missing). */
export const nodeRuntimeFact: Fact<HostRuntime['node'] | null> = {
  name: 'node-runtime',
  command: { script: `command -v node >/dev/null 2>&1 && node -p 'JSON.stringify([process.version, process.platform, process.arch])' || echo null` },
  parse(stdout) {
    const v = JSON.parse(stdout.trim() || 'null') as [string, string, string] | null;
    return v ? { version: v[0], platform: v[1], arch: v[2] } : null;
  },
};

/** Read-only probe of the python a venv needs (its interpreter path from the manifest). */
export function pythonRuntimeFact(interpreter: string): Fact<HostRuntime['python'] | null> {
  return {
    name: 'python-runtime',
    command: cmd('sh', '-c', '[ -x "$1" ] && "$1" -c "import sys; print(\'%d.%d.%d\' % sys.version_info[:3])" || echo none', 'sh', interpreter),
    parse(stdout) {
      const v = stdout.trim();
      return v === 'none' || v === '' ? null : { version: v };
    },
  };
}
