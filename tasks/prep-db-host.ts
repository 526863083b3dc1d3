import { defineTask, prep, z } from '../src/index.js';
import { UsageError } from '../src/storage.js';
import { applyStripe } from './prep-ebs-stripe.js';

/**
 * A MySQL-family host: the data directory on an EBS stripe, logs and tmp on volumes of their own
 * (the Percona advice: sequential log writes and tmp tables off the data disks), each striped,
 * mounted by UUID (the same plan as `prep-ebs-stripe`); then packages, kernel settings, limits
 * and the folders on those mounts, owned by the server's user. A volume without devices is
 * taken as mounted already (or not wanted).
 */
const volume = (devices: string) => z.array(z.string()).default([]).describe(`${devices} (two or more: a RAID0)`);

export default defineTask({
  name: 'prep-db-host',
  description: 'Prepare a database host: data/log/tmp volumes, packages, sysctl, limits, folders; idempotent',
  params: z.object({
    packages: z.array(z.string()).default(['mariadb-server', 'xfsprogs', 'mdadm', 'lvm2']),
    user: z.string().default('mysql'),
    dataDevices: volume('block devices striped for the data directory'),
    logDevices: volume('block devices striped for the logs'),
    tmpDevices: volume('block devices striped for tmp'),
    data: z.string().default('/mnt/lvm0/mysql'),
    logs: z.string().default('/mnt/logs/mysql'),
    tmp: z.string().default('/mnt/tmp/mysql'),
  }),
  async run(ctx) {
    const { user } = ctx.params;
    const volumes = [
      { devices: ctx.params.dataDevices, dir: ctx.params.data, md: '/dev/md0', vg: 'vgm0', lv: 'lvm0' },
      { devices: ctx.params.logDevices, dir: ctx.params.logs, md: '/dev/md1', vg: 'vglogs', lv: 'lvlogs' },
      { devices: ctx.params.tmpDevices, dir: ctx.params.tmp, md: '/dev/md2', vg: 'vgtmp', lv: 'lvtmp' },
    ].filter((v) => v.devices.length > 0);
    let changes = 0;
    let planned = 0;
    for (const v of volumes) {
      // the folder lives in the volume's mount: its parent (/mnt/logs for /mnt/logs/mysql)
      const mount = v.dir.replace(/\/[^/]+\/?$/, '');
      if (v.devices.length < 2 || !mount.startsWith('/'))
        throw new UsageError(`${v.dir}: a volume needs two or more devices and a folder below its mount`);
      const r = await applyStripe(ctx, {
        devices: v.devices,
        mount,
        chunk: 256,
        readahead: 65536,
        vg: v.vg,
        lv: v.lv,
        md: v.md,
        mountOptions: 'noatime,nofail',
        force: false,
      });
      changes += r.changes;
      planned += r.planned;
    }
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
    return {
      changes: changes + steps.filter((s) => s.status === 'changed').length,
      planned: planned + steps.filter((s) => s.status === 'planned').length,
    };
  },
});
