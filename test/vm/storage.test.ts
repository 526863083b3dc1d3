/**
 * The EBS-stripe prep on a real kernel: a qemu VM (TCG unless FERRY_VM_ACCEL=kvm works) with
 * four virtio data disks for the stripe and a fifth holding ext4. The tests run in order on one
 * VM: dry-run → prep → re-run (0 changes) → reboot (array, mount, data, readahead back) →
 * re-run → the ext4 disk refused and untouched → swap file. Each task runs through the real, built
 * CLI (`ferry prep-ebs-stripe …`, run-task.ts) over the VM's sshd, forwarded to a loopback port.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import prepEbsStripe from '../../tasks/prep-ebs-stripe.js';
import prepSwapfile from '../../tasks/prep-swapfile.js';
import { render } from '../../src/shell/command.js';
import {
  parseMdstat,
  parseLvs,
  parseFindmnt,
  parseFstab,
  parseArrayEntries,
  parseMdadmDetail,
  parseExportVars,
  parseProcSwaps,
  storageFacts,
} from '../../src/facts/storage/index.js';
import { stripeProbeInput } from '../../src/ops/storage/index.js';
import { buildImage, startVm, vmUnavailable, type Vm } from './vm.js';
import { assertBuilt, runTask } from './run-task.js';

const unavailable = vmUnavailable();
if (unavailable) console.log(`[test/vm] skipped: ${unavailable}`);

/** per test: a TCG VM on a busy 2-core machine is slow; the reboot alone can take a minute */
const T = 300_000;
const STRIPE = ['/dev/vdb', '/dev/vdc', '/dev/vdd', '/dev/vde'];
const PARAMS = { devices: STRIPE, size: '800M', mount: '/mnt/lvm0' };

describe.skipIf(unavailable !== undefined)('prep-ebs-stripe on a real kernel (qemu VM)', () => {
  let vm: Vm;
  let work: string;
  const timings: Record<string, number | string> = {};
  let dataSha = '';
  const prep = (extra: Record<string, unknown> = {}, dryRun = false) =>
    runTask(vm, prepEbsStripe, { ...PARAMS, ...extra }, dryRun);

  /** FERRY_CAPTURE_FIXTURES=dir saves the storage probe's real output in each state. */
  async function capture(state: string): Promise<void> {
    const dir = process.env.FERRY_CAPTURE_FIXTURES;
    if (!dir) return;
    const p = prepEbsStripe.params?.parse(PARAMS);
    if (!p) return;
    const probe = storageFacts(stripeProbeInput({ ...p, devices: [...STRIPE, '/dev/vdf'] }));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `probe-${state}.txt`), await vm.ssh(render(probe.command, { masked: false })));
  }

  beforeAll(async () => {
    assertBuilt();
    const t0 = Date.now();
    const image = await buildImage();
    timings[image.cached ? 'image build (cached) ms' : 'image build (first) ms'] = image.ms;
    work = mkdtempSync(join(tmpdir(), 'ferry-vm-'));
    const started = await startVm(work);
    vm = started.vm;
    timings['boot to ssh ms'] = started.bootMs;
    timings['setup total ms'] = Date.now() - t0;
  }, 900_000);

  afterAll(async () => {
    if (vm) await vm.stop();
    console.log(`[test/vm] timings: ${JSON.stringify(timings)}`);
    if (work && !process.env.FERRY_VM_KEEP) rmSync(work, { recursive: true, force: true });
  }, 180_000);

  it(
    'dry-run on the fresh VM plans the whole stripe and changes nothing',
    async () => {
      await capture('fresh');
      const r = await prep({}, true);
      expect(r.report.changes).toBe(0);
      expect(r.report.steps.map((s) => s.id)).toEqual([
        'mdadm-create',
        'mdadm-conf',
        'readahead',
        'udev-readahead',
        'pvcreate',
        'vgcreate',
        'lvcreate',
        'mkfs',
        'fstab',
        'mount',
      ]);
      expect(r.report.steps.every((s) => s.status === 'planned')).toBe(true);
      expect(parseMdstat(await vm.ssh('cat /proc/mdstat 2>/dev/null || true'))).toEqual([]);
    },
    T,
  );

  it(
    'stripes four disks: RAID0 chunk 256K, LV, XFS aligned, one fstab line, one ARRAY line, readahead',
    async () => {
      const r = await prep();
      timings['prep run ms'] = r.ms;
      expect(r.report.changes).toBe(10);

      const md = parseMdstat(await vm.ssh('cat /proc/mdstat')).find((a) => a.name === 'md0');
      expect(md).toMatchObject({ active: true, level: 'raid0', chunkKb: 256 });
      expect([...(md?.members ?? [])].sort()).toEqual(['vdb', 'vdc', 'vdd', 'vde']);

      const lvs = parseLvs(
        await vm.ssh('lvs --reportformat json --units b --nosuffix -o lv_name,vg_name,lv_path,lv_size,lv_active'),
      );
      expect(lvs).toEqual([
        { lvName: 'lvm0', vgName: 'vgm0', lvPath: '/dev/vgm0/lvm0', sizeBytes: 800 * 2 ** 20, active: true },
      ]);

      const mnt = parseFindmnt(await vm.ssh('findmnt -J -l -o TARGET,SOURCE,FSTYPE,OPTIONS,MAJ:MIN /mnt/lvm0'));
      expect(mnt).toHaveLength(1);
      expect(mnt[0]).toMatchObject({ target: '/mnt/lvm0', source: '/dev/mapper/vgm0-lvm0', fstype: 'xfs' });

      // su = 256 KiB = 64 blocks of 4 KiB; sw = 4 members → swidth 256 blocks
      const xfs = await vm.ssh('xfs_info /mnt/lvm0');
      expect(xfs).toMatch(/sunit=64\s+swidth=256 blks/);

      const fsUuid = parseExportVars(await vm.ssh('blkid -p -o export /dev/vgm0/lvm0')).UUID;
      const fstab = parseFstab(await vm.ssh('cat /etc/fstab')).filter((e) => e.file === '/mnt/lvm0');
      expect(fstab).toHaveLength(1);
      expect(fstab[0]).toMatchObject({ spec: `UUID=${fsUuid}`, vfstype: 'xfs' });
      expect(fstab[0]?.options).toContain('nofail');

      const detail = parseMdadmDetail(await vm.ssh('mdadm --detail --export /dev/md0'));
      const arrays = parseArrayEntries(await vm.ssh('cat /etc/mdadm/mdadm.conf'));
      expect(arrays).toHaveLength(1);
      expect(arrays[0]?.uuid).toBe(detail?.uuid);

      expect((await vm.ssh('blockdev --getra /dev/md0')).trim()).toBe('65536');

      dataSha =
        (
          await vm.ssh('head -c 16777216 /dev/urandom > /mnt/lvm0/data.bin && sync && sha256sum /mnt/lvm0/data.bin')
        ).split(' ')[0] ?? '';
      expect(dataSha).toMatch(/^[0-9a-f]{64}$/);
      await capture('full');
    },
    T,
  );

  it(
    'a second run changes nothing',
    async () => {
      const r = await prep();
      timings['second run ms'] = r.ms;
      expect(r.report.steps).toEqual([]);
      expect(r.report.changes).toBe(0);
    },
    T,
  );

  it(
    'after a reboot the array reassembles by UUID, the XFS is mounted with the data, readahead is back',
    async () => {
      const t0 = Date.now();
      await vm.reboot();
      timings['reboot to ssh ms'] = Date.now() - t0;
      // a nofail mount is not ordered before sshd: wait for it (bounded), then assert
      await vm.ssh('for i in $(seq 1 120); do mountpoint -q /mnt/lvm0 && break; sleep 0.5; done; true');
      const md = parseMdstat(await vm.ssh('cat /proc/mdstat')).find((a) => a.name === 'md0');
      expect(md).toMatchObject({ active: true, level: 'raid0', chunkKb: 256 });
      expect(md?.members).toHaveLength(4);
      expect((await vm.ssh('findmnt -n -o FSTYPE /mnt/lvm0')).trim()).toBe('xfs');
      expect((await vm.ssh('sha256sum /mnt/lvm0/data.bin')).split(' ')[0]).toBe(dataSha);
      expect((await vm.ssh('blockdev --getra /dev/md0')).trim()).toBe('65536');
      await capture('rebooted');
    },
    T,
  );

  it(
    'after the reboot a run still changes nothing',
    async () => {
      const r = await prep();
      expect(r.report.steps).toEqual([]);
    },
    T,
  );

  it(
    'refuses a fifth disk holding ext4, naming it, and leaves it untouched',
    async () => {
      const before = await vm.ssh('sha256sum /dev/vdf');
      await expect(prep({ devices: [...STRIPE, '/dev/vdf'] })).rejects.toThrow(
        /\/dev\/vdf: holds an ext4 filesystem labelled "precious"/,
      );
      await expect(
        prep({ devices: ['/dev/vdf'], md: '/dev/md1', vg: 'vgx', lv: 'lvx', mount: '/mnt/x' }),
      ).rejects.toThrow(/\/dev\/vdf: holds an ext4 filesystem/);
      expect(await vm.ssh('sha256sum /dev/vdf')).toBe(before);
      expect(parseExportVars(await vm.ssh('blkid -p -o export /dev/vdf')).TYPE).toBe('ext4');
      expect(parseMdstat(await vm.ssh('cat /proc/mdstat')).map((a) => a.name)).toEqual(['md0']);
    },
    T,
  );

  it(
    'swap file: created once, one fstab line, active; a second run changes nothing',
    async () => {
      const first = await runTask(vm, prepSwapfile, { size: '64M', path: '/swapfile' });
      expect(first.report.steps.map((s) => s.id)).toEqual(['swapfile-create', 'fstab', 'swapon']);
      const swaps = parseProcSwaps(await vm.ssh('cat /proc/swaps'));
      expect(swaps).toEqual([{ filename: '/swapfile', type: 'file', sizeKb: 64 * 1024 - 4 }]);
      expect(parseFstab(await vm.ssh('cat /etc/fstab')).filter((e) => e.spec === '/swapfile')).toHaveLength(1);
      expect((await vm.ssh("stat -c '%a %s' /swapfile")).trim()).toBe(`600 ${64 * 2 ** 20}`);
      const second = await runTask(vm, prepSwapfile, { size: '64M', path: '/swapfile' });
      expect(second.report.changes).toBe(0);
      expect(second.report.steps).toEqual([]);
    },
    T,
  );
});
