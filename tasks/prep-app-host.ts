import { defineTask, prep, z } from '../src/index.js';

export default defineTask({
  name: 'prep-app-host',
  description: 'Prepare an app host: packages, the app user and keys, folders, sysctl, limits, nginx, cron; idempotent',
  params: z.object({ user: z.string().default('shop'), keys: z.array(z.string()).default([]) }),
  async run(ctx) {
    const { user } = ctx.params;
    const home = `/srv/${user}`;
    const steps = await ctx.apply([
      prep.packages({ install: ['nginx', 'supervisor', 'python3-venv'] }),
      prep.user({ name: user, system: true, home, shell: '/bin/bash', authorizedKeys: ctx.params.keys }),
      prep.directory({ path: home, owner: user, mode: 0o755 }),
      prep.directory({ path: `${home}/releases`, owner: user, mode: 0o755 }),
      prep.sysctl({ name: `60-${user}`, settings: { 'vm.swappiness': 10, 'net.core.somaxconn': 1024 } }),
      prep.template({
        path: `/etc/security/limits.d/${user}.conf`,
        template: 'tasks/templates/limits.liquid',
        vars: { user },
      }),
      prep.file({ path: '/etc/nginx/conf.d/gzip.conf', content: 'gzip on;\n', onChange: prep.reload('nginx') }),
      prep.service({ name: 'nginx', enabled: true, running: true }),
      prep.cron({
        name: `${user}-cleanup`,
        schedule: '17 3 * * *',
        user,
        command: [`${home}/current/env/bin/cleanup`],
      }),
    ]);
    return { changes: steps.filter((s) => s.status === 'changed').length, planned: steps.length };
  },
});
