import { defineTask, prep, z } from '../src/index.js';

/**
 * A MySQL-family host after its volumes are mounted (run `prep-ebs-stripe` once per volume first:
 * data on the stripe, logs and tmp on volumes of their own): packages, kernel settings, limits,
 * the folders on those mounts, owned by the server's user.
 */
export default defineTask({
  name: 'prep-db-host',
  description: 'Prepare a database host on its mounted volumes: packages, sysctl, limits, data/log/tmp folders',
  params: z.object({
    packages: z.array(z.string()).default(['mariadb-server', 'xfsprogs', 'mdadm', 'lvm2']),
    user: z.string().default('mysql'),
    data: z.string().default('/mnt/lvm0/mysql'),
    logs: z.string().default('/mnt/logs/mysql'),
    tmp: z.string().default('/mnt/tmp/mysql'),
  }),
  async run(ctx) {
    const { user } = ctx.params;
    const steps = await ctx.apply([
      prep.packages({ install: ctx.params.packages }),
      // little swapping, early writeback: the buffer pool is the cache
      prep.sysctl({
        name: '60-db',
        settings: { 'vm.swappiness': 1, 'vm.dirty_background_ratio': 5, 'vm.dirty_ratio': 15 },
      }),
      prep.limits({ name: 'db', entries: [{ domain: user, type: '-', item: 'nofile', value: 65536 }] }),
      ...[ctx.params.data, ctx.params.logs, ctx.params.tmp].map((path) =>
        prep.directory({ path, owner: user, group: user, mode: 0o750 }),
      ),
    ]);
    return { changes: steps.filter((s) => s.status === 'changed').length, planned: steps.length };
  },
});
