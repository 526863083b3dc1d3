// V8 tiering for the `ferry` command (src/cli/jit-tiering.ts), in real node processes: on Node 20 a
// per-host function run a few thousand times stays out of TurboFan while truly hot code still gets
// there, Node's own modules are all loaded before the flag, and on every Node nothing is printed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tieringFlags } from '../../../src/cli/jit-tiering.js';
import { FERRY_BIN, REPO } from '../../helpers/ferry-cli.js';

const MODULE = `${REPO}dist/src/cli/jit-tiering.js`;
const onNode20 = tieringFlags(process.versions.v8) !== undefined;
const dir = mkdtempSync(join(tmpdir(), 'ferry-tiering-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** How often V8 reports optimizing `perHost` after `calls` calls, with or without tierUpLater(). */
function optimizedAfter(calls: number, tiered: boolean): number {
  const script = `const { tierUpLater } = await import(${JSON.stringify(MODULE)});
if (${tiered}) tierUpLater();
function perHost(h) { const o = { name: h, port: 22, tags: [h, 'app'] }; let n = 0; for (const t of o.tags) n += t.length; return o.name + ':' + o.port + ':' + n; }
let total = 0;
for (let i = 0; i < ${calls}; i++) { total += perHost('h' + i).length; await null; }
console.log('total', total);`;
  const r = spawnSync(process.execPath, ['--trace-opt', '--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('total');
  return (r.stdout.match(/completed optimizing .*perHost/g) ?? []).length;
}

/** A preload that reports which of Node's modules were first loaded after ferry set its V8 flag. */
const LATE_PROBE = `const v8 = require('node:v8');
const set = v8.setFlagsFromString;
let mark;
v8.setFlagsFromString = (f) => { mark = process.moduleLoadList.length; set(f); };
process.on('exit', () => {
  const late = mark === undefined ? ['(no flag set)'] : process.moduleLoadList.slice(mark)
    .filter((m) => m.startsWith('NativeModule ') && !m.startsWith('NativeModule internal/')).map((m) => m.slice(13));
  require('node:fs').writeSync(2, 'late: [' + late.join(' ') + ']\\n');
});`;

function lateModules(args: string[]): string {
  const probe = join(dir, 'late-probe.cjs');
  writeFileSync(probe, LATE_PROBE);
  const r = spawnSync(process.execPath, ['--require', probe, ...args], {
    encoding: 'utf8',
    env: { ...process.env, XDG_CACHE_HOME: join(dir, 'cache') },
  });
  return /late: \[([^\]]*)\]/.exec(r.stderr)?.[1] ?? `no report: ${r.stderr}`;
}

describe('V8 tiering of the ferry command', () => {
  it('applies only to V8 11 (Node 20): later V8s tier by call count and have no such flag', () => {
    expect(tieringFlags('11.3.244.8-node.33')).toBe('--interrupt-budget=270336');
    expect(tieringFlags('12.4.254.21-node.33')).toBeUndefined();
    expect(tieringFlags('13.6.233.10-node.27')).toBeUndefined();
  });

  it('prints nothing on this Node', () => {
    const r = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `(await import(${JSON.stringify(MODULE)})).tierUpLater();`],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
  });

  it.skipIf(!onNode20)('a function run 2,000 times is not optimized (control: it is without)', () => {
    expect(optimizedAfter(2000, false)).toBeGreaterThan(0);
    expect(optimizedAfter(2000, true)).toBe(0);
  });

  it.skipIf(!onNode20)('a function run 20,000 times still is', () => {
    expect(optimizedAfter(20_000, true)).toBeGreaterThan(0);
  });

  it.skipIf(!onNode20)("loads every one of Node's modules a run needs before the flag", () => {
    const inventory = join(dir, 'inventory.yaml');
    writeFileSync(inventory, 'hosts:\n  web1:\n    address: 127.0.0.1\n    roles: [app]\n');
    expect(lateModules([FERRY_BIN, '--inventory', inventory, 'run', '--roles', 'app', '--dry-run', '--', 'true'])).toBe(
      '',
    );
    // control: the probe sees a module loaded after the flag
    const script = `(await import(${JSON.stringify(MODULE)})).tierUpLater(); await import('node:inspector');`;
    expect(lateModules(['--input-type=module', '-e', script])).toContain('inspector');
  });
});
