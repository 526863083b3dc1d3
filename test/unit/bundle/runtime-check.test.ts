import { describe, expect, test } from 'vitest';
import { checkRuntime, needsRuntime } from '../../../src/bundle/index.js';
import { nodeRuntimeFact, pythonRuntimeFact } from '../../../src/facts/runtime.js';
import { demoBundle, host } from './fixtures.js';
import { FailedError } from '../../../src/errors/index.js';
import { render } from '../../../src/shell/index.js';
import { localSh } from '../../helpers/local-sh.js';

const nodeBundle = {
  id: 'demo-v1-0123456-abcdef01',
  env: { kind: 'node' as const, node: { version: 'v20.11.1', platform: 'linux', arch: 'x64' } },
};
const pyBundle = {
  id: 'py-v1-0123456-abcdef01',
  env: { kind: 'python' as const, python: { version: '3.11.2', interpreter: '/usr/bin/python3' } },
};

describe('runtime check before staging', () => {
  test('node: same major and arch is fine', () => {
    expect(() =>
      checkRuntime(nodeBundle, 'web1', { node: { version: 'v20.19.0', platform: 'linux', arch: 'x64' } }),
    ).not.toThrow();
  });
  test.each([
    [
      { version: 'v22.1.0', platform: 'linux', arch: 'x64' },
      /built with node v20\.11\.1 on linux\/x64, the host runs node v22\.1\.0 on linux\/x64/,
    ],
    [{ version: 'v20.11.1', platform: 'linux', arch: 'arm64' }, /the host runs node v20\.11\.1 on linux\/arm64/],
    [undefined, /needs node v20\.11\.1 .*the host has no node/],
  ])('node: refused for %j', (node, message) => {
    const err = (() => {
      try {
        checkRuntime(nodeBundle, 'web1', { node });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(FailedError);
    expect((err as FailedError).host).toBe('web1');
    expect((err as Error).message).toMatch(/^\[web1\] demo-v1-0123456-abcdef01 /);
    expect((err as Error).message).toMatch(message);
  });
  test('python: major.minor must match', () => {
    expect(() => checkRuntime(pyBundle, 'web1', { python: { version: '3.11.9' } })).not.toThrow();
    expect(() => checkRuntime(pyBundle, 'web1', { python: { version: '3.12.1' } })).toThrow(
      /built with python 3\.11\.2, the host's \/usr\/bin\/python3 is 3\.12\.1/,
    );
    expect(() => checkRuntime(pyBundle, 'web1', {})).toThrow(/needs \/usr\/bin\/python3/);
  });
  test('facts parse what the probes print', () => {
    expect(nodeRuntimeFact.parse('["v20.1.0","linux","x64"]\n')).toEqual({
      version: 'v20.1.0',
      platform: 'linux',
      arch: 'x64',
    });
    expect(nodeRuntimeFact.parse('null\n')).toBeNull();
    const py = pythonRuntimeFact('/usr/bin/python3');
    expect(py.parse('3.11.2\n')).toEqual({ version: '3.11.2' });
    expect(py.parse('none\n')).toBeNull();
    expect(render(py.command, { masked: true })).toContain('sh /usr/bin/python3');
  });
  test('the probes run in a real sh: the node on PATH, a python by path, and a missing one', async () => {
    const node = nodeRuntimeFact.parse((await localSh(nodeRuntimeFact.command)).stdout);
    expect(node).toEqual({ version: process.version, platform: process.platform, arch: process.arch });
    const py = pythonRuntimeFact('/usr/bin/python3');
    expect(py.parse((await localSh(py.command)).stdout)?.version).toMatch(/^3\.\d+\.\d+$/);
    const none = pythonRuntimeFact('/nonexistent/python3');
    expect(none.parse((await localSh(none.command)).stdout)).toBeNull();
  });
});

test('only hosts that run the program need the runtime: demo app hosts yes, its LB no', async () => {
  const def = (await demoBundle()).manifest.definition;
  expect(needsRuntime(def, host('web1'))).toBe(true);
  expect(needsRuntime(def, host('lb1'))).toBe(false);
  expect(needsRuntime({ configs: [], roles: ['worker'] }, { roles: ['worker'] })).toBe(true);
  expect(needsRuntime({ configs: [], roles: ['worker'] }, { roles: ['app'] })).toBe(false);
});
