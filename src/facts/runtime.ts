import { cmd } from '../shell/command.js';
import type { Fact } from './fact.js';

/** What a host offers to run a bundle: `node` and the venv's python, as found on its PATH / path. */
export interface HostRuntime {
  readonly node?: { readonly version: string; readonly platform: string; readonly arch: string } | undefined;
  readonly python?: { readonly version: string } | undefined;
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
