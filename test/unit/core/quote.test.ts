import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { and, cmd, quote, render, secret, sh } from '../../../src/shell/index.js';
import { UsageError } from '../../../src/errors/index.js';
import { SUDO_OK } from '../../../src/shell/command.js';
import { HOSTILE_STRINGS } from '../../fixtures/hostile-strings.js';

describe('quote', () => {
  it('leaves safe words alone and single-quotes the rest', () => {
    expect(quote('abc/def-1.2')).toBe('abc/def-1.2');
    expect(quote('')).toBe("''");
    expect(quote("O'Brien")).toBe(`'O'\\''Brien'`);
    expect(quote('a b')).toBe("'a b'");
  });

  it('round-trips every hostile string through a real local sh', () => {
    expect(HOSTILE_STRINGS.length).toBeGreaterThanOrEqual(50);
    for (const s of HOSTILE_STRINGS) {
      const out = execFileSync('sh', ['-c', `printf %s ${quote(s)}`]);
      expect(out.equals(Buffer.from(s, 'utf8'))).toBe(true);
    }
  });
});

describe('render', () => {
  it('quotes argv word by word and chains with &&', () => {
    const c = and(cmd('mkdir', '-p', '/srv/a b'), cmd('touch', "/srv/a b/it's"));
    expect(render(c, { masked: false })).toBe("mkdir -p '/srv/a b' && touch '/srv/a b/it'\\''s'");
  });

  it('masks secrets in the masked rendering only', () => {
    const c = cmd('curl', '-u', secret('user:hunter2'), 'https://x');
    expect(render(c, { masked: true })).toBe('curl -u *** https://x');
    expect(render(c, { masked: false })).toContain('user:hunter2');
  });

  it('keeps cwd and scripts from leaking into the rest of a chain', () => {
    const c = and({ script: 'false || true', cwd: '/tmp' }, cmd('pwd'));
    expect(render(c, { masked: false })).toBe('( cd /tmp && false || true ) && pwd');
  });

  it('wraps sudo around the whole command with the unique prompt', () => {
    const text = render({ ...sh('id -u'), sudo: true }, { masked: false });
    expect(text.startsWith("sudo -S -p '[ferry-sudo-7f3a] password:' -H -- sh -c ")).toBe(true);
    const out = execFileSync('sh', ['-c', text.replace(/^sudo .* -- /, '')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(out.trim()).toBe(String(process.getuid?.()));
  });

  it('asRoot: runs directly as root, through sudo otherwise (decided on the host), with the marker either way', () => {
    const c = { ...sh('id -u'), asRoot: true };
    const text = render(c, { masked: false });
    const run = (prefix: string[], env: NodeJS.ProcessEnv = process.env) =>
      spawnSync(prefix[0] ?? 'sh', [...prefix.slice(1), 'sh', '-c', text], { encoding: 'utf8', env });
    if (process.getuid?.() === 0) {
      const root = run(['env']);
      expect(root.stdout.trim()).toBe('0');
      expect(root.stderr).toContain(SUDO_OK);
      // as an unprivileged user the sudo branch is taken: a stand-in sudo shows its argv
      const bin = mkdtempSync(join(tmpdir(), 'ferry-fake-sudo-'));
      writeFileSync(join(bin, 'sudo'), '#!/bin/sh\necho "sudo $*"\n', { mode: 0o755 });
      chmodSync(bin, 0o755);
      const user = run([
        'setpriv',
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        'env',
        `PATH=${bin}:/usr/bin:/bin`,
      ]);
      expect(user.stdout).toMatch(/^sudo -S -p \[ferry-sudo-7f3a\] password: -H -- sh -c /);
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it('puts env on argv commands and rejects bad names', () => {
    expect(render({ argv: ['printenv', 'A'], env: { A: 'x y' } }, { masked: false })).toBe("env A='x y' printenv A");
    expect(() => render({ argv: ['true'], env: { 'A;B': '1' } }, { masked: false })).toThrow(
      /invalid environment variable name: "A;B"/,
    );
    expect(() => render({ argv: ['true'], env: { 'A;B': '1' } }, { masked: false })).toThrow(UsageError);
  });
});
