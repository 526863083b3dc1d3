import { describe, expect, it } from 'vitest';
import {
  haproxyApplyCommand,
  haproxyCheckCommand,
  haproxyReloadCommand,
  saveServerStateCommand,
} from '../../../src/ops/haproxy/config.js';
import { nginxReloadCommand, nginxTestSiteCommand } from '../../../src/ops/nginx/config.js';
import { UsageError } from '../../../src/errors/usage-error.js';
import { render, type Command } from '../../../src/shell/command.js';

const r = (c: Command): string => render(c, { masked: true });

describe('haproxy reload (daemon mode, -sf, as Debian’s init script)', () => {
  it('reloads a live pid with -sf, starts otherwise; -x only when asked', () => {
    expect(r(haproxyReloadCommand({ config: '/etc/haproxy/haproxy.cfg', pidFile: '/run/haproxy.pid' }))).toBe(
      'if [ -s /run/haproxy.pid ] && kill -0 $(cat /run/haproxy.pid) 2>/dev/null;' +
        ' then haproxy -D -f /etc/haproxy/haproxy.cfg -p /run/haproxy.pid -sf $(cat /run/haproxy.pid);' +
        ' else haproxy -D -f /etc/haproxy/haproxy.cfg -p /run/haproxy.pid; fi',
    );
    const withX = r(
      haproxyReloadCommand({
        config: ['/a.cfg', '/b dir/c.cfg'],
        pidFile: '/run/h.pid',
        transferSocket: '/run/haproxy/admin.sock',
      }),
    );
    expect(withX).toContain(
      "haproxy -D -f /a.cfg -f '/b dir/c.cfg' -p /run/h.pid -x /run/haproxy/admin.sock -sf $(cat /run/h.pid)",
    );
    expect(withX).toContain("else haproxy -D -f /a.cfg -f '/b dir/c.cfg' -p /run/h.pid; fi");
    expect(() => haproxyReloadCommand({ config: '/a.cfg', pidFile: '/p', transferSocket: '/run/x,fork' })).toThrow(
      UsageError,
    );
  });

  it('save state: temp file, version check, atomic mv, cleanup on failure', () => {
    expect(
      r(saveServerStateCommand({ socket: '/run/haproxy/admin.sock', stateFile: '/var/lib/haproxy/server-state' })),
    ).toBe(
      "printf '%s\\n' 'show servers state' | socat -t 10 -T 30 - UNIX-CONNECT:/run/haproxy/admin.sock" +
        ' > /var/lib/haproxy/server-state.ferry-tmp' +
        ' && [ "$(head -n 1 /var/lib/haproxy/server-state.ferry-tmp)" = 1 ]' +
        ' && mv -f /var/lib/haproxy/server-state.ferry-tmp /var/lib/haproxy/server-state' +
        ' || { rm -f /var/lib/haproxy/server-state.ferry-tmp; false; }',
    );
    expect(() => saveServerStateCommand({ socket: '/s.sock', stateFile: 'relative' })).toThrow(UsageError);
    expect(r(saveServerStateCommand({ socket: '/s.sock', stateFile: "/st'x" }))).toContain("'/st'\\''x.ferry-tmp'");
    for (const bad of [
      'run/admin.sock',
      '/run/a,fork.sock',
      '/run/a b.sock',
      "/run/a'.sock",
      '/run/../etc/x',
      '/run/a:b',
    ]) {
      expect(() => saveServerStateCommand({ socket: bad, stateFile: '/st' }), bad).toThrow(
        /invalid haproxy socket path/,
      );
    }
  });

  it('apply: folders first; when running, save state then reload with -x; else start without -x', () => {
    const o = {
      config: '/etc/haproxy/haproxy.cfg',
      pidFile: '/run/haproxy.pid',
      socket: '/run/haproxy/admin.sock',
      stateFile: '/var/lib/haproxy/server-state',
    };
    const text = r(haproxyApplyCommand(o));
    const save = r(saveServerStateCommand(o));
    const reload = r(haproxyReloadCommand({ config: o.config, pidFile: o.pidFile, transferSocket: o.socket }));
    const start = r(haproxyReloadCommand({ config: o.config, pidFile: o.pidFile }));
    expect(text).toBe(
      'mkdir -p /run/haproxy /var/lib/haproxy' +
        ' && if [ -s /run/haproxy.pid ] && kill -0 $(cat /run/haproxy.pid) 2>/dev/null;' +
        ` then ${save} && ${reload}; else ${start}; fi`,
    );
    expect(() => haproxyApplyCommand({ ...o, socket: '/run/a b.sock' })).toThrow(UsageError);
  });

  it('check: one -f per file, in order', () => {
    expect(r(haproxyCheckCommand('/srv/app/releases/x/config/haproxy.cfg'))).toBe(
      'haproxy -c -f /srv/app/releases/x/config/haproxy.cfg',
    );
    expect(r(haproxyCheckCommand(['/g.cfg', '/f.cfg']))).toBe('haproxy -c -f /g.cfg -f /f.cfg');
  });
});

describe('nginx', () => {
  it('site test and reload commands', () => {
    expect(r(nginxReloadCommand())).toBe(
      'nginx -t -q && if [ -s /run/nginx.pid ] && kill -0 "$(cat /run/nginx.pid)" 2>/dev/null;' +
        ' then nginx -s reload; else nginx; fi',
    );
    const site = r(nginxTestSiteCommand({ sites: ['/srv/app/releases/x/config/nginx/site.conf'] }));
    expect(site).toMatch(/^tmp=\$\(mktemp -d \/tmp\/ferry-nginx-t\.XXXXXX\) && printf '%s' 'pid nginx\.pid;/);
    expect(site).toContain(
      '-t -q -e stderr -p "$tmp" -c "$tmp/nginx.conf" && rm -rf "$tmp" || { rm -rf "$tmp" && false; }',
    );
  });
});
