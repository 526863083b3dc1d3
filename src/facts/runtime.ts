import { cmd } from '../shell/command.js';
import { quote } from '../shell/quote.js';
import type { Fact } from './fact.js';

/** What a host offers to run a bundle: `node` and the venv's python, as found on its PATH / path. */
export interface HostRuntime {
  readonly node?: { readonly version: string; readonly platform: string; readonly arch: string } | undefined;
  readonly python?: { readonly version: string } | undefined;
}

/**
 * Prints `[version, platform, arch]` of the `node` on PATH: on a host (nodeRuntimeFact) and on
 * the control machine, where a bundle's build records what its native modules were built for.
 */
export const NODE_RUNTIME_ARGV = ['node', '-p', 'JSON.stringify([process.version, process.platform, process.arch])'];

/** After a python interpreter: prints its `major.minor.patch`, on a host and on the control machine. */
export const PYTHON_VERSION_ARGS = ['-c', "import sys; print('%d.%d.%d' % sys.version_info[:3])"];

/** What NODE_RUNTIME_ARGV printed (null for `null`: node missing on the host). */
export function parseNodeRuntime(stdout: string): HostRuntime['node'] | null {
  const v = JSON.parse(stdout.trim() || 'null') as [string, string, string] | null;
  return v ? { version: v[0], platform: v[1], arch: v[2] } : null;
}

/** Read-only probe of the node runtime on a host (null when node is missing). */
export const nodeRuntimeFact: Fact<HostRuntime['node'] | null> = {
  name: 'node-runtime',
  command: { script: `command -v node >/dev/null 2>&1 && ${NODE_RUNTIME_ARGV.map(quote).join(' ')} || echo null` },
  parse: parseNodeRuntime,
};

/** Read-only probe of the python a venv needs (its interpreter path from the manifest). */
export function pythonRuntimeFact(interpreter: string): Fact<HostRuntime['python'] | null> {
  return {
    name: 'python-runtime',
    command: cmd('sh', '-c', '[ -x "$1" ] && "$@" || echo none', 'sh', interpreter, ...PYTHON_VERSION_ARGS),
    parse(stdout) {
      const v = stdout.trim();
      return v === 'none' || v === '' ? null : { version: v };
    },
  };
}
