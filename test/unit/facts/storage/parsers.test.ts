import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  parseLsblk,
  parseMdstat,
  parseArrayEntries,
  parseMdadmExamine,
  parseMdadmDetail,
  parsePvs,
  parseVgs,
  parseLvs,
  parseFindmnt,
  parseFstab,
  parseExportVars,
  parseProcSwaps,
  normalizeUuid,
  mdadmUuid,
  dashedUuid,
} from '../../../../src/facts/storage/index.js';
import { UsageError } from '../../../../src/errors/index.js';

const fx = (name: string): string =>
  readFileSync(new URL(`../../../fixtures/storage/${name}`, import.meta.url), 'utf8');

describe('lsblk -J -b', () => {
  it('flattens the tree; an array under four members has four parents', () => {
    const devs = parseLsblk(fx('md127/lsblk.json'));
    const md = devs.find((d) => d.path === '/dev/md127');
    expect(md).toMatchObject({ type: 'raid0', fstype: 'LVM2_member' });
    expect([...(md?.parents ?? [])].sort()).toEqual(['/dev/vdb', '/dev/vdc', '/dev/vdd', '/dev/vde']);
    expect(md?.children).toEqual(['/dev/mapper/vgm0-lvm0']);
    const vdb = devs.find((d) => d.path === '/dev/vdb');
    expect(vdb).toMatchObject({
      type: 'disk',
      sizeBytes: 268435456,
      fstype: 'linux_raid_member',
      readaheadKb: 128,
      children: ['/dev/md127'],
    });
    expect(devs.filter((d) => d.path === '/dev/md127')).toHaveLength(1);
  });
  it('reads the ext4 disk and the root mount', () => {
    const devs = parseLsblk(fx('fresh/lsblk.json'));
    expect(devs.find((d) => d.path === '/dev/vdf')).toMatchObject({ fstype: 'ext4', children: [] });
    expect(devs.find((d) => d.path === '/dev/vda')?.mountpoint).toBe('/');
  });
  it('empty output is no devices', () => expect(parseLsblk('')).toEqual([]));
});

describe('/proc/mdstat', () => {
  it('active raid0 with members in slot order and chunk', () => {
    expect(parseMdstat(fx('md127/mdstat.txt'))).toEqual([
      {
        name: 'md127',
        active: true,
        level: 'raid0',
        members: ['vdb', 'vdc', 'vdd', 'vde'],
        blocks: 1044480,
        chunkKb: 256,
      },
    ]);
  });
  it('no arrays', () => expect(parseMdstat(fx('stopped/mdstat.txt'))).toEqual([]));
  it('an inactive array has no level', () => {
    const text =
      'Personalities : [raid0]\nmd127 : inactive vdb[0](S)\n      261120 blocks super 1.2\n\nunused devices: <none>\n';
    expect(parseMdstat(text)).toEqual([
      { name: 'md127', active: false, level: undefined, members: ['vdb'], blocks: 261120, chunkKb: undefined },
    ]);
  });
});

describe('mdadm', () => {
  it('--detail --scan --verbose: ARRAY with continuation line', () => {
    const [a, ...rest] = parseArrayEntries(fx('full/mdadm-scan.txt'));
    expect(rest).toEqual([]);
    expect(a).toMatchObject({
      device: '/dev/md0',
      level: 'raid0',
      numDevices: 4,
      metadata: '1.2',
      name: 'ferryvm:0',
      uuid: '0123abcd4567ef0189abcdef01234567',
      devices: ['/dev/vdb', '/dev/vdc', '/dev/vdd', '/dev/vde'],
      startLine: 0,
      endLine: 2,
    });
  });
  it('mdadm.conf: comments and the template lines are not arrays', () => {
    expect(parseArrayEntries(fx('fresh/mdadm.conf'))).toEqual([]);
    const full = parseArrayEntries(fx('full/mdadm.conf'));
    expect(full.map((e) => [e.device, e.uuid])).toEqual([['/dev/md0', '0123abcd4567ef0189abcdef01234567']]);
  });
  it('--examine --export on a member and on a non-member', () => {
    expect(parseMdadmExamine(fx('full/examine-vdb.txt'))).toEqual({
      uuid: '0123abcd4567ef0189abcdef01234567',
      level: 'raid0',
      raidDevices: 4,
      name: 'ferryvm:0',
    });
    expect(parseMdadmExamine(fx('full/examine-vdf.txt'))).toBeUndefined();
  });
  it('--detail --export', () => {
    expect(parseMdadmDetail(fx('full/mdadm-detail.txt'))).toEqual({
      uuid: '0123abcd4567ef0189abcdef01234567',
      level: 'raid0',
      raidDevices: 4,
      name: 'ferryvm:0',
      devname: undefined,
      members: ['/dev/vdb', '/dev/vdc', '/dev/vdd', '/dev/vde'],
    });
  });
});

describe('lvm --reportformat json', () => {
  it('pvs, vgs, lvs', () => {
    expect(parsePvs(fx('full/pvs.json'))).toEqual([{ pvName: '/dev/md0', vgName: 'vgm0', sizeBytes: 1065353216 }]);
    expect(parseVgs(fx('full/vgs.json'))).toMatchObject([{ vgName: 'vgm0', pvCount: 1, lvCount: 1 }]);
    expect(parseLvs(fx('full/lvs.json'))).toEqual([
      { lvName: 'lvm0', vgName: 'vgm0', lvPath: '/dev/vgm0/lvm0', sizeBytes: 838860800, active: true },
    ]);
  });
  it('nothing yet', () => {
    expect(parsePvs(fx('fresh/pvs.json'))).toEqual([]);
    expect(parseLvs(fx('fresh/lvs.json'))).toEqual([]);
  });
});

describe('findmnt -J -l', () => {
  it('the XFS on the LV', () => {
    const m = parseFindmnt(fx('full/findmnt.json')).find((x) => x.target === '/mnt/lvm0');
    expect(m).toMatchObject({ source: '/dev/mapper/vgm0-lvm0', fstype: 'xfs' });
    expect(m?.options).toContain('noatime');
  });
});

describe('blkid -p -o export', () => {
  it('ext4 with a label', () => {
    expect(parseExportVars(fx('fresh/blkid-vdf.txt'))).toMatchObject({
      TYPE: 'ext4',
      LABEL: 'precious',
      USAGE: 'filesystem',
    });
  });
  it('a PV: backslash-escaped space', () => {
    expect(parseExportVars(fx('blkid-md0-pv.txt'))).toMatchObject({ TYPE: 'LVM2_member', VERSION: 'LVM2 001' });
  });
  it('a partition table', () => expect(parseExportVars(fx('blkid-mbr.txt')).PTTYPE).toBe('dos'));
  it('a blank disk prints nothing', () => expect(parseExportVars(fx('fresh/blkid-vdb.txt'))).toEqual({}));
});

describe('fstab', () => {
  it('entries with line numbers; comments skipped; octal escapes', () => {
    const e = parseFstab('# c\n/dev/vda / ext4 defaults,noatime 0 0\n\nUUID=x /mnt/my\\040disk xfs nofail 0 2\n');
    expect(e).toEqual([
      { line: 1, spec: '/dev/vda', file: '/', vfstype: 'ext4', options: ['defaults', 'noatime'], freq: 0, passno: 0 },
      { line: 3, spec: 'UUID=x', file: '/mnt/my disk', vfstype: 'xfs', options: ['nofail'], freq: 0, passno: 2 },
    ]);
  });
});

describe('/proc/swaps', () => {
  it('header skipped', () => {
    expect(
      parseProcSwaps(
        'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n' +
          '/swapfile                               file\t\t65532\t\t0\t\t-2\n',
      ),
    ).toEqual([{ filename: '/swapfile', type: 'file', sizeKb: 65532 }]);
  });
});

describe('uuid spellings', () => {
  it('mdadm, dashed and normalized agree', () => {
    const n = normalizeUuid('0123abcd:4567ef01:89abcdef:01234567');
    expect(n).toBe(normalizeUuid('0123ABCD-4567-EF01-89AB-CDEF01234567'));
    expect(mdadmUuid(n)).toBe('0123abcd:4567ef01:89abcdef:01234567');
    expect(dashedUuid(n)).toBe('0123abcd-4567-ef01-89ab-cdef01234567');
    expect(() => normalizeUuid('7zz363-zHeJ')).toThrow(UsageError);
  });
});
