import { describe, expect, it } from 'vitest';
import { haproxyReloadCommand, haproxyReloadSteps, haproxyReloadWithStateCommand } from '../../../src/ops/haproxy/reload.js';
import { saveServerStateCommand, saveServerStateStep } from '../../../src/ops/haproxy/save-state.js';
import { haproxyCheckCommand } from '../../../src/ops/haproxy/check.js';
import { nginxReloadCommand } from '../../../src/ops/nginx/reload.js';
import { nginxTestCommand, nginxTestSiteCommand } from '../../../src/ops/nginx/check.js';
import { render, type Command } from '../../../src/shell/command.js';

const r = (c: Command): string => render(c, { masked: true });

describe('haproxy reload (daemon mode, -sf, as Debian’s init script)', () => {
  it('reloads a live pid with -sf, starts otherwise; -x only when asked', () => {
    expect(r(haproxyReloadCommand({ config: '/etc/haproxy/haproxy.cfg', pidFile: '/run/haproxy.pid' }))).toBe(
      'if [ -s /run/haproxy.pid ] && kill -0 $(cat /run/haproxy.pid) 2>/dev/null;' +
        ' then haproxy -D -f /etc/haproxy/haproxy.cfg -p /run/haproxy.pid -sf $(cat /run/haproxy.pid);' +
        ' else haproxy -D -f /etc/haproxy/haproxy.cfg -p /run/haproxy.pid; fi',
    );
    const withX = r(haproxyReloadCommand({ config: ['/a.cfg', '/b dir/c.cfg'], pidFile: '/run/h.pid', transferSocket: '/run/haproxy/admin.sock' }));
    expect(withX).toContain("haproxy -D -f /a.cfg -f '/b dir/c.cfg' -p /run/h.pid -x /run/haproxy/admin.sock -sf $(cat /run/h.pid)");
    expect(withX).toContain("else haproxy -D -f /a.cfg -f '/b dir/c.cfg' -p /run/h.pid; fi");
    expect(() => haproxyReloadCommand({ config: '/a.cfg', pidFile: '/p', transferSocket: '/run/x,fork' })).toThrow();
  });

  it('check, save state, reload: in that order', () => {
    const steps = haproxyReloadSteps({ config: '/etc/haproxy/haproxy.cfg', pidFile: '/run/haproxy.pid', socket: '/run/haproxy/admin.sock', stateFile: '/var/lib/haproxy/server-state' });
    expect(steps.map((s) => s.id)).toEqual(['haproxy-check', 'haproxy-save-state', 'haproxy-reload']);
    expect(r(steps[0]!.command)).toBe(r(haproxyCheckCommand('/etc/haproxy/haproxy.cfg')));
    const one = r(haproxyReloadWithStateCommand({ config: '/c', pidFile: '/p', socket: '/s.sock', stateFile: '/st' }));
    expect(one.startsWith('haproxy -c -f /c && ( printf')).toBe(true);
  });

  it('save state: temp file, version check, atomic mv, cleanup on failure', () => {
    expect(r(saveServerStateCommand({ socket: '/run/haproxy/admin.sock', stateFile: '/var/lib/haproxy/server-state' }))).toBe(
      "printf '%s\\n' 'show servers state' | socat -t 10 -T 30 - UNIX-CONNECT:/run/haproxy/admin.sock > /var/lib/haproxy/server-state.ferry-tmp" +
        ' && [ "$(head -n 1 /var/lib/haproxy/server-state.ferry-tmp)" = 1 ]' +
        ' && mv -f /var/lib/haproxy/server-state.ferry-tmp /var/lib/haproxy/server-state' +
        ' || { rm -f /var/lib/haproxy/server-state.ferry-tmp; false; }',
    );
    expect(saveServerStateStep({ socket: '/s.sock', stateFile: '/st' }).id).toBe('haproxy-save-state');
    expect(() => saveServerStateCommand({ socket: '/s.sock', stateFile: 'relative' })).toThrow();
    expect(r(saveServerStateCommand({ socket: '/s.sock', stateFile: "/st'x" }))).toContain("'/st'\\''x.ferry-tmp'");
  });
});

describe('nginx', () => {
  it('test and reload commands', () => {
    expect(r(nginxTestCommand())).toBe('nginx -t -q');
    expect(r(nginxTestCommand({ conf: '/srv/app/current/config/nginx/nginx.conf' }))).toBe('nginx -t -q -c /srv/app/current/config/nginx/nginx.conf');
    expect(r(nginxReloadCommand())).toBe(
      'nginx -t -q && if [ -s /run/nginx.pid ] && kill -0 "$(cat /run/nginx.pid)" 2>/dev/null; then nginx -s reload; else nginx; fi',
    );
    const site = r(nginxTestSiteCommand({ sites: ['/srv/app/releases/x/config/nginx/site.conf'] }));
    expect(site).toMatch(/^tmp=\$\(mktemp -d \/tmp\/ferry-nginx-t\.XXXXXX\) && printf '%s' 'pid nginx\.pid;/);
    expect(site).toContain('-t -q -e stderr -p "$tmp" -c "$tmp/nginx.conf" && rm -rf "$tmp" || { rm -rf "$tmp" && false; }');
  });
});
