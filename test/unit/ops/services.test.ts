import { describe, expect, it } from 'vitest';
import type { BundleDefinition } from '../../../src/bundle/definition.js';
import type { Host } from '../../../src/inventory/types.js';
import { afterSwitch, HAPROXY_PID_FILE, haproxyPaths, validatorFor } from '../../../src/ops/services.js';
import { haproxyApplyCommand, haproxyCheckCommand } from '../../../src/ops/haproxy/config.js';
import { nginxReloadCommand } from '../../../src/ops/nginx/config.js';
import { supervisorApplyCommand } from '../../../src/ops/supervisor/apply.js';
import { supervisorCheckCommand } from '../../../src/ops/supervisor/check.js';
import { render, type Command } from '../../../src/shell/command.js';

const r = (c: Command): string => render(c, { masked: true });

const def: BundleDefinition = {
  name: 'demo',
  env: { kind: 'none' },
  build: [],
  roles: ['app', 'lb'],
  configs: [
    {
      template: 'haproxy.cfg',
      target: 'haproxy/haproxy.cfg',
      link: '/etc/haproxy/haproxy.cfg',
      roles: ['lb'],
      validate: 'haproxy',
    },
    { template: 'site.conf', target: 'nginx/site.conf', roles: ['app'], validate: 'nginx' },
    { template: 'app.conf', target: 'supervisor/app.conf', roles: ['app'], validate: 'supervisor' },
    { template: 'motd', target: 'motd', roles: ['app', 'lb'] },
  ],
  shared: [],
  program: 'demo',
  health: { path: '/check.html', port: 'app_port' },
  haproxy: { backend: 'demo', socket: '/run/haproxy/admin.sock', roles: ['lb'] },
  deployPath: '/srv/demo',
  keep: 5,
};

const host = (name: string, roles: string[], attrs: Host['attrs'] = {}): Host => ({
  name,
  address: '10.0.0.1',
  roles,
  attrs,
});

const lbApply = (o: { socket: string; stateFile: string }, config = '/etc/haproxy/haproxy.cfg') =>
  r(haproxyApplyCommand({ ...o, pidFile: HAPROXY_PID_FILE, config }));

describe('afterSwitch: what runs on a host after `current` moved', () => {
  it('an lb host: only the state-keeping haproxy apply, with the bundle’s socket and the default state file', () => {
    expect(afterSwitch(def, host('lb1', ['lb'])).map(r)).toEqual([
      lbApply({ socket: '/run/haproxy/admin.sock', stateFile: '/var/lib/haproxy/server-state' }),
    ]);
  });

  it('an app host: nginx reload, then supervisor apply of the bundle’s program', () => {
    expect(afterSwitch(def, host('web1', ['app'])).map(r)).toEqual([
      r(nginxReloadCommand()),
      r(supervisorApplyCommand('demo')),
    ]);
  });

  it('a host with both roles: haproxy first, then nginx and supervisor', () => {
    expect(afterSwitch(def, host('solo', ['app', 'lb'])).map(r)).toEqual([
      lbApply({ socket: '/run/haproxy/admin.sock', stateFile: '/var/lib/haproxy/server-state' }),
      r(nginxReloadCommand()),
      r(supervisorApplyCommand('demo')),
    ]);
  });

  it('a host with no validated config gets nothing; an unlinked haproxy config runs from current/', () => {
    expect(afterSwitch(def, host('db1', ['db']))).toEqual([]);
    const unlinked = {
      ...def,
      configs: def.configs.map((c) => (c.validate === 'haproxy' ? { ...c, link: undefined } : c)),
    };
    expect(afterSwitch(unlinked, host('lb1', ['lb'])).map(r)).toEqual([
      lbApply(
        { socket: '/run/haproxy/admin.sock', stateFile: '/var/lib/haproxy/server-state' },
        '/srv/demo/current/config/haproxy/haproxy.cfg',
      ),
    ]);
  });
});

describe('haproxyPaths', () => {
  it('host attrs win over the bundle’s socket and the default state file', () => {
    expect(haproxyPaths(def, host('lb1', ['lb']))).toEqual({
      socket: '/run/haproxy/admin.sock',
      stateFile: '/var/lib/haproxy/server-state',
    });
    const custom = host('lb2', ['lb'], { haproxy_socket: '/run/h/a.sock', haproxy_state_file: '/var/lib/h/state' });
    expect(haproxyPaths(def, custom)).toEqual({ socket: '/run/h/a.sock', stateFile: '/var/lib/h/state' });
    expect(afterSwitch(def, custom).map(r)).toEqual([
      lbApply({ socket: '/run/h/a.sock', stateFile: '/var/lib/h/state' }),
    ]);
    // a non-string attr is ignored, not stringified
    expect(haproxyPaths({ ...def, haproxy: undefined }, host('lb3', ['lb'], { haproxy_socket: 7 })).socket).toBe(
      '/run/haproxy/admin.sock',
    );
  });
});

describe('validatorFor', () => {
  it('by the kind the bundle declares; none for an unvalidated file', () => {
    expect(r(validatorFor('haproxy', '/s/haproxy.cfg') as Command)).toBe(r(haproxyCheckCommand('/s/haproxy.cfg')));
    expect(r(validatorFor('supervisor', '/s/app.conf', 'demo') as Command)).toBe(
      r(supervisorCheckCommand({ files: ['/s/app.conf'], expect: ['demo'] })),
    );
    expect(r(validatorFor('nginx', '/s/site.conf') as Command)).toContain('include /etc/nginx/mime.types;');
    expect(validatorFor(undefined, '/s/motd')).toBeUndefined();
  });
});
