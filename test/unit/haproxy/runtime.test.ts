import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  setServerAgent, setServerHealth, setServerState, setServerWeight, showServersState, showStat, type AdminState,
} from '../../../src/ops/haproxy/runtime.js';
import { parseSetReply, runtimeReplyComplete } from '../../../src/ops/haproxy/reply.js';
import { runtimePayload, runtimeSetCommand, runtimeStep } from '../../../src/ops/haproxy/socket.js';
import { render } from '../../../src/shell/command.js';

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/haproxy/${name}`, import.meta.url), 'utf8');

describe('runtime lines', () => {
  it('builds the documented commands', () => {
    expect(setServerState('app', 'web1', 'drain')).toBe('set server app/web1 state drain');
    expect(setServerState('be_api.v2', 'web-1:a', 'maint')).toBe('set server be_api.v2/web-1:a state maint');
    expect(setServerState('app', 'web1', 'ready')).toBe('set server app/web1 state ready');
    expect(setServerHealth('app', 'web1', 'down')).toBe('set server app/web1 health down');
    expect(setServerAgent('app', 'web1', 'up')).toBe('set server app/web1 agent up');
    expect(setServerWeight('app', 'web1', 0)).toBe('set server app/web1 weight 0');
    expect(setServerWeight('app', 'web1', '50%')).toBe('set server app/web1 weight 50%');
    expect(showStat()).toBe('show stat');
    expect(showServersState()).toBe('show servers state');
    expect(showServersState('app')).toBe('show servers state app');
  });

  it.each([
    ['app;', 'web1'],
    ['app', 'web1; set server app/web2 state maint'],
    ['app', 'web1\nshow stat'],
    ['app', 'web 1'],
    ['app/x', 'web1'],
    ['', 'web1'],
    ['app', ''],
    ['app', 'web1\r'],
  ])('refuses backend %j server %j', (backend, server) => {
    expect(() => setServerState(backend, server, 'drain')).toThrow(/invalid haproxy (backend|server) name/);
  });

  it('refuses bad states and weights at runtime too', () => {
    expect(() => setServerState('app', 'web1', 'up' as AdminState)).toThrow();
    expect(() => setServerWeight('app', 'web1', 257)).toThrow();
    expect(() => setServerWeight('app', 'web1', -1)).toThrow();
    expect(() => setServerWeight('app', 'web1', 1.5)).toThrow();
    expect(() => showServersState('a b')).toThrow();
  });
});

describe('runtime replies (haproxy 2.6.12 real output)', () => {
  it('an empty reply is success, any text is a refusal', () => {
    expect(parseSetReply(fixture('reply-ok.txt'))).toEqual({ ok: true });
    expect(parseSetReply(fixture('reply-no-such-server.txt'))).toEqual({ ok: false, message: 'No such server.' });
    expect(parseSetReply(fixture('reply-require-backend-server.txt'))).toEqual({ ok: false, message: "Require 'backend/server'." });
    expect(parseSetReply(fixture('reply-bad-state.txt'))).toMatchObject({ ok: false });
  });
});

describe('runtime step (socat fallback)', () => {
  it('sends the line on stdin and fails on a non-empty reply', () => {
    const s = runtimeStep('/run/haproxy/admin.sock', setServerState('app', 'web1', 'drain'));
    expect(s.stdin).toBe('set server app/web1 state drain\n');
    expect(s.title).toBe('haproxy: set server app/web1 state drain');
    const text = render(s.command, { masked: true });
    expect(text).toBe(
      `out=$(socat -t 10 -T 30 - UNIX-CONNECT:/run/haproxy/admin.sock) && { [ -z "$out" ] || { printf '%s\\n' "$out" >&2; false; }; }`,
    );
    expect(text).not.toContain('web1');
  });

  it('sudo is passed through; bad socket paths are refused', () => {
    const s = runtimeStep('/run/haproxy/admin.sock', setServerState('app', 'web1', 'ready'), { sudo: true, id: 'ready' });
    expect(s.id).toBe('ready');
    expect(render(s.command, { masked: true })).toMatch(/^sudo -S /);
    expect(runtimePayload(showStat())).toBe('show stat\n');
    for (const bad of ['run/admin.sock', '/run/a,fork.sock', '/run/a b.sock', "/run/a'.sock", '/run/../etc/x', '/run/a:b']) {
      expect(() => runtimeSetCommand(bad)).toThrow(/invalid haproxy socket path/);
    }
  });
});

describe('runtime reply completeness (HAProxy ends each command output with an empty line)', () => {
  it.each([
    ['\n', 1, true],
    ['', 1, false],
    ['No such server.\n\n', 1, true],
    ['No such server.\n', 1, false],
    ['# pxname,svname\napp,web1\n\n', 1, true],
    ['# pxname,svname\napp,web1\n', 1, false],
    ['\n# pxname,svname\napp,web1\n\n', 2, true],
    ['\n# pxname,svname\napp,web1\n', 2, false],
    ['No such server.\n\n# pxname\n\n', 2, true],
  ])('%j after %i command(s) → %s', (text, n, complete) => {
    expect(runtimeReplyComplete(text, n)).toBe(complete);
  });

  it('show stat of one backend asks for its servers only', () => {
    expect(showStat('app')).toBe('show stat app 4 -1');
    expect(() => showStat('app 1')).toThrow();
  });
});
