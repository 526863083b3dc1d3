import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBundle } from '../../../src/bundle/schema.js';
import { envFilePath, envLine, renderEnvFile, secretNames, stagedEnvFile } from '../../../src/bundle/env-file.js';
import { attr, secretRef } from '../../../src/bundle/define-bundle.js';
import { ProjectError } from '../../../src/errors/index.js';
import type { Host } from '../../../src/inventory/types.js';
import { HOSTILE_STRINGS, YAML_SHAPED } from '../../fixtures/hostile-strings.js';
import { fresh } from '../release/fixtures.js';

// the demo app's own reader of the format (plain JS, no types)
const READER = new URL('../../../bundles/demo/app/env-file.js', import.meta.url).href;
const { parseEnvFile } = (await import(READER)) as { parseEnvFile: (text: string) => Record<string, string> };

const FILE = 'bundles/x/bundle.ts';
const VALUES = [...HOSTILE_STRINGS, ...YAML_SHAPED].filter((v) => !v.includes('\0'));

const def = (envFile: unknown) => parseBundle({ name: 'x', env: { kind: 'none' }, envFile }, FILE).definition;
const host = (attrs: Record<string, unknown>): Host => ({ name: 'web1', address: '10.0.0.1', roles: ['app'], attrs });

/** What `sh` reads back: `set -a; . file` then each var, NUL-separated (a real /bin/sh, as on a host). */
function shellRead(content: string, keys: readonly string[]): string[] {
  const file = join(fresh(), '.env');
  writeFileSync(file, content);
  const script = `set -a && . ${file} && for k in ${keys.join(' ')}; do eval "printf '%s\\0' \\"\\$$k\\""; done`;
  return execFileSync('/bin/sh', ['-c', script], { encoding: 'utf8' }).split('\0').slice(0, -1);
}

describe('env file renderer', () => {
  it('renders literals, attributes (dotted, typed) and secrets; the shown text masks secrets', () => {
    const d = def({
      vars: { A: 'lit', N: 3, B: true, W: attr('workers'), D: attr('db.port'), S: secretRef('S1'), T: secretRef('S1') },
    });
    expect(secretNames(d)).toEqual(['S1']);
    const env = renderEnvFile(d, host({ workers: 4, db: { port: 5432 } }), new Map([['S1', "p'w"]]), FILE);
    expect(env?.path).toBe('app/.env');
    expect(env?.content).toBe("A=lit\nN=3\nB=true\nW=4\nD=5432\nS='p'\\''w'\nT='p'\\''w'\n");
    expect(env?.shown).toBe('A=lit\nN=3\nB=true\nW=4\nD=5432\nS=***\nT=***\n');
    expect(env?.secrets).toEqual(["p'w", "p'w"]);
    expect(envFilePath(d, '/srv/x/releases/r1/')).toBe('/srv/x/releases/r1/app/.env');
    expect(stagedEnvFile('/r/', 'abc')).toBe('/r/configs/abc/.ferry-env');
    expect(envFilePath(parseBundle({ name: 'x', env: { kind: 'none' } }, FILE).definition, '/r')).toBeUndefined();
  });

  it('every hostile and YAML-shaped value reads back byte for byte, by sh and by the demo app', () => {
    const keys = VALUES.map((_v, i) => `V${i}`);
    const content = VALUES.map((v, i) => envLine(`V${i}`, v)).join('');
    expect(shellRead(content, keys)).toEqual(VALUES);
    const app = parseEnvFile(content);
    expect(keys.map((k) => app[k])).toEqual(VALUES);
  });

  it('a missing, map or list attribute is an error naming the bundle file, key and host; optional ones are left out', () => {
    const d = def({ vars: { W: attr('workers'), O: attr('maybe', { optional: true }) } });
    expect(renderEnvFile(d, host({ workers: 2 }), new Map(), FILE)?.content).toBe('W=2\n');
    const fails = (attrs: Record<string, unknown>) => () => renderEnvFile(d, host(attrs), new Map(), FILE);
    expect(fails({})).toThrow(ProjectError);
    expect(fails({})).toThrow(
      /^bundles\/x\/bundle\.ts: envFile\.vars\.W: attribute 'workers' of host web1 is not defined/,
    );
    expect(fails({ workers: { a: 1 } })).toThrow(/envFile\.vars\.W: .* is a map, not a string/);
    expect(fails({ workers: [1] })).toThrow(/is a list/);
    expect(fails({ workers: null })).toThrow(/is null/);
    expect(fails({ workers: 'a\0b' })).toThrow(/envFile\.vars\.W: a NUL byte/);
  });

  it('only hosts of its roles get one (default: every bundle role)', () => {
    const d = parseBundle(
      { name: 'x', env: { kind: 'none' }, roles: ['app', 'lb'], envFile: { vars: { A: 'a' }, roles: ['app'] } },
      FILE,
    ).definition;
    const lb: Host = { ...host({}), roles: ['lb'] };
    expect(renderEnvFile(d, lb, new Map(), FILE)).toBeUndefined();
    expect(renderEnvFile(d, host({}), new Map(), FILE)?.content).toBe('A=a\n');
    expect(def({ vars: {} }).envFile?.roles).toEqual(['app']);
  });

  it('the owner: a user name, from an attribute (optional: none when absent)', () => {
    const d = def({ vars: {}, owner: attr('app_user', { optional: true }) });
    expect(renderEnvFile(d, host({ app_user: 'demo' }), new Map(), FILE)?.owner).toBe('demo');
    expect(renderEnvFile(d, host({}), new Map(), FILE)?.owner).toBeUndefined();
    expect(() => renderEnvFile(d, host({ app_user: 'x; rm' }), new Map(), FILE)).toThrow(
      /envFile\.owner: .* is not a user name/,
    );
  });
});

describe('envFile in the bundle definition', () => {
  it('a var name that is not an identifier is an error naming the file and key', () => {
    for (const bad of ['1X', 'A-B', 'A B', '', 'É']) {
      const parse = () => def({ vars: { [bad]: 'v' } });
      expect(parse).toThrow(ProjectError);
      expect(parse).toThrow(
        new RegExp(
          `^${FILE}: envFile\\.vars\\.${bad.replace(/[$^.*+?()[\]{}|\\]/g, '\\$&')}: .* is not an environment variable name`,
        ),
      );
    }
  });
  it('refuses paths of ferry’s own and bad secret names', () => {
    expect(() => def({ path: 'config/.env', vars: {} })).toThrow(/envFile\.path: config\/, configs\/ and \.ferry/);
    expect(() => def({ path: '../.env', vars: {} })).toThrow(/envFile\.path: must be a relative path/);
    expect(() => def({ vars: { A: { secret: 'a-b' } } })).toThrow(/envFile\.vars\.A/);
    expect(() => def({ vars: { A: { attr: 'x', extra: 1 } } })).toThrow(/envFile\.vars\.A/);
  });
  it('shared files: required by default, optional on request; dirs stay as they were', () => {
    const d = parseBundle(
      {
        name: 'x',
        env: { kind: 'none' },
        shared: ['log', { file: 'app/config/local.json', optional: true }, { file: 'app/k' }],
      },
      FILE,
    ).definition;
    expect(d.shared).toEqual(['log']);
    expect(d.sharedFiles).toEqual([
      { path: 'app/config/local.json', optional: true },
      { path: 'app/k', optional: false },
    ]);
    expect(() => parseBundle({ name: 'x', env: { kind: 'none' }, shared: [{ file: 'config/a' }] }, FILE)).toThrow(
      /shared\.0\.file: config\//,
    );
  });
});
