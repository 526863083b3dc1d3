import { defineBundle } from '../../src/bundle/define-bundle.js';

export default defineBundle({
  name: 'demo-py',
  env: { kind: 'python', package: '.' },
  roles: ['app'],
  configs: [
    {
      template: 'templates/supervisor.conf.liquid',
      target: 'supervisor/demo-py.conf',
      link: '/etc/supervisor/conf.d/demo-py.conf',
      validate: 'supervisor',
    },
  ],
  health: { path: '/check.html', port: 'app_port' },
});
