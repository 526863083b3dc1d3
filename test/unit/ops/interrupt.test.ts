import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { interruptCommand } from '../../../src/ops/interrupt.js';
import { render } from '../../../src/shell/command.js';

/**
 * Plays sshd: one parent (the per-connection process) with two commands, each in a session of its
 * own (as sshd starts them), one a pipeline; then the interrupt command as a third child. Prints
 * how each command's shell ended.
 */
const SSHD = `
const { spawn, execFileSync } = require('node:child_process');
const script = process.argv[1];
const kids = [
  spawn('sh', ['-c', 'sleep 3918 | cat; echo not reached'], { detached: true, stdio: 'ignore' }),
  spawn('sh', ['-c', 'sleep 3918; echo not reached'], { detached: true, stdio: 'ignore' }),
];
const ends = kids.map((k) => new Promise((r) => k.on('exit', (code, signal) => r(signal ?? code))));
const started = () => kids.every((k) => { try { return execFileSync('pgrep', ['-P', String(k.pid)]).length > 0; } catch { return false; } });
const go = () => {
  if (!started()) return setTimeout(go, 10);
  spawn('sh', ['-c', script], { stdio: 'inherit' }).on('exit', (code) =>
    Promise.all(ends).then((s) => console.log(JSON.stringify({ code, ends: s }))));
};
go();
`;

describe('interruptCommand', () => {
  it('signals every other command of the connection as a whole process group, itself excepted', () => {
    const r = spawnSync(process.execPath, ['-e', SSHD, render(interruptCommand(), { masked: false })], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ code: 0, ends: ['SIGINT', 'SIGINT'] });
  });

  it('TERM for what ignores INT', () => {
    expect(render(interruptCommand('TERM'), { masked: false })).toContain('kill -TERM "-$p"');
  });
});
