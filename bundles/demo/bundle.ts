import { attr, defineBundle, secretRef } from '../../src/bundle/define-bundle.js';

export default defineBundle({
  name: 'demo',
  env: { kind: 'node' },
  roles: ['app', 'lb'],
  configs: [
    {
      template: 'templates/nginx.conf.liquid',
      target: 'nginx/demo.conf',
      link: '/etc/nginx/sites-enabled/demo.conf',
      roles: ['app'],
      validate: 'nginx',
    },
    {
      template: 'templates/haproxy.cfg.liquid',
      target: 'haproxy/haproxy.cfg',
      link: '/etc/haproxy/haproxy.cfg',
      roles: ['lb'],
      validate: 'haproxy',
    },
    {
      template: 'templates/supervisor.conf.liquid',
      target: 'supervisor/demo.conf',
      link: '/etc/supervisor/conf.d/demo.conf',
      roles: ['app'],
      validate: 'supervisor',
    },
  ],
  shared: ['log', 'tmp', 'data'],
  // per host, 0600: the app reads app/.env (app/env-file.js) and reports the secret's sha256 at /version
  envFile: {
    path: 'app/.env',
    vars: { DEMO_SECRET: secretRef('DEMO_SECRET'), APP_PORT: attr('app_port') },
    owner: attr('app_user', { optional: true }),
    roles: ['app'],
  },
  program: 'demo',
  health: { path: '/check.html', port: 'app_port' },
  haproxy: { backend: 'demo', socket: '/run/haproxy/admin.sock', roles: ['lb'] },
  keep: 5,
  // the demo's database migration (app/migrate.js): once per deploy, before any host switches
  once: [{ name: 'migrate', role: 'app', run: ['node', 'app/migrate.js'] }],
});
