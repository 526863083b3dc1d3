import { describe, expect, it } from 'vitest';
import { planEbsStripe, udevRuleContent } from '../../../src/ops/storage/index.js';
import { mdadmUuid } from '../../../src/facts/storage/index.js';
import { PARAMS, IDS, STRIPE, facts, factsOf, probeText, withSection, commands, stdinOf } from './helpers.js';

const CONF_FRESH = facts('fresh').mdadmConf.debian ?? '';
/** array UUIDs as created in the VM (random, recorded in the fixtures) */
const uuidOf = (state: string): string => mdadmUuid(facts(state).devices[0]?.superblock?.uuid ?? '');
const FULL = uuidOf('full');
const STOPPED = uuidOf('stopped');
const FSTAB_FRESH = facts('fresh').fstab;

describe('planEbsStripe: fresh host (four blank disks)', () => {
  const plan = planEbsStripe(PARAMS, facts('fresh'), IDS);

  it('plans every step, in order, with the exact commands', () => {
    expect(plan.refusals).toEqual([]);
    expect(plan.again).toBe(false);
    const c = commands(plan);
    expect(c.map(([id]) => id)).toEqual([
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
    expect(Object.fromEntries(c)).toMatchObject({
      'mdadm-create':
        'mdadm --create /dev/md0 --run --level=0 --chunk=256 --raid-devices=4 --metadata=1.2 ' +
        '--uuid=aaaaaaaa:bbbbcccc:ddddeeee:eeeeeeee /dev/vdb /dev/vdc /dev/vdd /dev/vde' +
        ' && wipefs --all --quiet /dev/md0',
      readahead: 'blockdev --setra 65536 /dev/md0',
      pvcreate: 'pvcreate /dev/md0',
      vgcreate: 'vgcreate vgm0 /dev/md0',
      lvcreate: 'lvcreate --yes --wipesignatures y --name lvm0 --size 800M vgm0',
      mkfs: 'mkfs.xfs -m uuid=99999999-8888-7777-6666-555555555555 -d su=256k,sw=4 /dev/vgm0/lvm0',
      mount: 'mkdir -p /mnt/lvm0 && mount /mnt/lvm0',
    });
    expect(c.find(([id]) => id === 'mdadm-conf')?.[1]).toBe(
      'mkdir -p /etc/mdadm && ( cat > /etc/mdadm/mdadm.conf.ferry-tmp ) && chmod 644 /etc/mdadm/mdadm.conf.ferry-tmp' +
        ' && mv -f /etc/mdadm/mdadm.conf.ferry-tmp /etc/mdadm/mdadm.conf',
    );
  });

  it(
    'file contents go on stdin: ' +
      'mdadm.conf keeps the template and gains one ARRAY line; fstab one UUID line with nofail',
    () => {
      expect(stdinOf(plan, 'mdadm-conf')).toBe(
        `${CONF_FRESH}ARRAY /dev/md0 metadata=1.2 UUID=aaaaaaaa:bbbbcccc:ddddeeee:eeeeeeee\n`,
      );
      expect(stdinOf(plan, 'fstab')).toBe(
        `${FSTAB_FRESH}UUID=99999999-8888-7777-6666-555555555555 /mnt/lvm0 xfs noatime,nofail 0 0\n`,
      );
      expect(stdinOf(plan, 'udev-readahead')).toBe(udevRuleContent(IDS.arrayUuid, 65536));
      expect(stdinOf(plan, 'udev-readahead')).toContain(
        'ENV{MD_UUID}=="aaaaaaaa:bbbbcccc:ddddeeee:eeeeeeee", ATTR{bdi/read_ahead_kb}="32768"',
      );
    },
  );

  it('no initramfs tool on the host: said, not silently skipped', () => {
    expect(plan.notes.join('\n')).toMatch(/no update-initramfs or dracut/);
  });

  it('100%FREE without --size; chunk and member count drive su/sw', () => {
    const p = planEbsStripe(
      { ...PARAMS, size: undefined, chunk: 64, devices: STRIPE.slice(0, 3) },
      facts('fresh'),
      IDS,
    );
    const c = Object.fromEntries(commands(p));
    expect(c.lvcreate).toBe('lvcreate --yes --wipesignatures y --name lvm0 --extents 100%FREE vgm0');
    expect(c.mkfs).toContain('-d su=64k,sw=3 ');
    expect(c['mdadm-create']).toContain('--chunk=64 --raid-devices=3 ');
  });

  it('an initramfs tool present: rebuilt right after mdadm.conf', () => {
    const f = facts('fresh');
    const p = planEbsStripe(PARAMS, { ...f, tools: [...f.tools, 'update-initramfs'] }, IDS);
    const ids = p.steps.map((s) => s.id);
    expect(ids.slice(1, 3)).toEqual(['mdadm-conf', 'initramfs']);
    expect(commands(p)[2]?.[1]).toBe('update-initramfs -u');
  });

  it('missing tools: packages installed first', () => {
    const f = facts('fresh');
    const p = planEbsStripe(PARAMS, { ...f, tools: ['apt-get', 'udevadm'] }, IDS);
    expect(commands(p)[0]).toEqual([
      'packages',
      'env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends mdadm lvm2 xfsprogs',
    ]);
  });
});

describe('planEbsStripe: the array exists, no LVM yet', () => {
  const plan = planEbsStripe(PARAMS, facts('array'), IDS);
  it('keeps the array (found by member superblocks) and plans the rest on it', () => {
    expect(plan.refusals).toEqual([]);
    expect(plan.steps.map((s) => s.id)).toEqual([
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
    expect(stdinOf(plan, 'mdadm-conf')).toMatch(
      /\nARRAY \/dev\/md0 metadata=1.2 UUID=0123abcd:4567ef01:89abcdef:01234567\n$/,
    );
    expect(plan.unchanged.map((u) => u.what)).toContain(
      'array /dev/md0 (raid0, 4 members, UUID 0123abcd:4567ef01:89abcdef:01234567)',
    );
    expect(Object.fromEntries(commands(plan)).mkfs).toContain('-d su=256k,sw=4 ');
  });
});

describe('planEbsStripe: everything done', () => {
  it('plans nothing (probed right after prep, and again after a reboot)', () => {
    for (const state of ['full', 'rebooted']) {
      const plan = planEbsStripe(PARAMS, facts(state), IDS);
      expect(plan.refusals).toEqual([]);
      expect(plan.steps).toEqual([]);
      expect(plan.unchanged.map((u) => u.id)).toEqual([
        'packages',
        'mdadm-assemble',
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
    }
  });
  it('a different readahead or udev rule is corrected, nothing else', () => {
    const plan = planEbsStripe({ ...PARAMS, readahead: 8192 }, facts('full'), IDS);
    expect(commands(plan).map(([id]) => id)).toEqual(['readahead', 'udev-readahead']);
    expect(stdinOf(plan, 'udev-readahead')).toContain('ATTR{bdi/read_ahead_kb}="4096"');
  });
});

describe('planEbsStripe: a device holding a filesystem', () => {
  const p = { ...PARAMS, devices: [...STRIPE, '/dev/vdf'] };
  it('is refused, naming the device and what is on it; nothing is planned', () => {
    const plan = planEbsStripe(p, facts('fresh', p), IDS);
    expect(plan.steps).toEqual([]);
    expect(plan.refusals).toHaveLength(1);
    expect(plan.refusals[0]).toMatchObject({ subject: '/dev/vdf', forceable: true });
    expect(plan.refusals[0]?.reason).toMatch(/^holds an ext4 filesystem labelled "precious" \(UUID [0-9a-f-]{36}\)$/);
  });
  it('with --force its signatures are wiped before the array is created', () => {
    const plan = planEbsStripe({ ...p, force: true }, facts('fresh', p), IDS);
    expect(commands(plan).slice(0, 2)).toEqual([
      ['wipe:/dev/vdf', 'wipefs --all /dev/vdf'],
      ['mdadm-create', expect.stringContaining('--raid-devices=5 ') as string],
    ]);
  });
  it('members of the existing array, offered for a new one, are in use: refused even with --force', () => {
    const plan = planEbsStripe({ ...p, force: true }, facts('full', p), IDS);
    expect(plan.steps).toEqual([]);
    expect(plan.refusals.map((r) => r.subject)).toEqual([
      '/dev/vdb',
      '/dev/vdc',
      '/dev/vdd',
      '/dev/vde',
      '/dev/md0',
      '/etc/mdadm/mdadm.conf',
      'volume group vgm0',
    ]);
    expect(plan.refusals[0]).toEqual({ subject: '/dev/vdb', reason: 'in use by /dev/md0 (raid0)', forceable: false });
    expect(plan.refusals[4]?.reason).toBe(`is already array ${FULL}; choose another --md`);
    expect(plan.refusals[6]?.reason).toBe('exists on /dev/md0, not on the new array /dev/md0');
  });
  it('a member of another (stopped) array is refused unless --force', () => {
    const p1 = { ...PARAMS, devices: ['/dev/vdb', '/dev/vdc'] };
    const plan = planEbsStripe(p1, facts('stopped', p1), IDS);
    expect(plan.steps).toEqual([]);
    expect(plan.refusals.slice(0, 3)).toEqual([
      {
        subject: '/dev/vdb',
        reason: `holds a member of md array ${STOPPED} (raid0, 4 devices, name ferryvm:0)`,
        forceable: true,
      },
      {
        subject: '/dev/vdc',
        reason: `holds a member of md array ${STOPPED} (raid0, 4 devices, name ferryvm:0)`,
        forceable: true,
      },
      // and a new /dev/md0 would clash with the stopped array's ARRAY line
      {
        subject: '/etc/mdadm/mdadm.conf',
        reason: `already names /dev/md0 for another array (UUID=${STOPPED}) on line 21`,
        forceable: false,
      },
    ]);
  });
  it('an LV that holds another filesystem is never formatted', () => {
    const f = facts('lvm');
    const plan = planEbsStripe(PARAMS, { ...f, lvSignature: { TYPE: 'ext4', UUID: 'x' } }, IDS);
    expect(plan.steps).toEqual([]);
    expect(plan.refusals).toEqual([
      {
        subject: '/dev/vgm0/lvm0',
        reason: expect.stringMatching(/holds a ext4|holds an ext4|ext4 filesystem/) as string,
        forceable: false,
      },
    ]);
  });
});

describe('planEbsStripe: the array came back as md127', () => {
  it('is recognised by UUID: only the missing ARRAY line is written (named /dev/md0)', () => {
    const plan = planEbsStripe(PARAMS, facts('md127'), IDS);
    expect(plan.refusals).toEqual([]);
    expect(plan.steps.map((s) => s.id)).toEqual(['mdadm-conf']);
    expect(stdinOf(plan, 'mdadm-conf')).toBe(`${CONF_FRESH}ARRAY /dev/md0 metadata=1.2 UUID=${uuidOf('md127')}\n`);
    expect(plan.unchanged.map((u) => u.what)).toContain('physical volume /dev/md127');
    expect(plan.unchanged.map((u) => u.what)).toContain('readahead of /dev/md127 is 65536 sectors');
  });
});

describe('planEbsStripe: the array is not assembled', () => {
  it('assembles it first and asks to be planned again', () => {
    const plan = planEbsStripe(PARAMS, facts('stopped'), IDS);
    expect(plan.again).toBe(true);
    expect(commands(plan)).toEqual([
      [
        'mdadm-assemble',
        `mdadm --assemble /dev/md0 --uuid=${STOPPED} /dev/vdb /dev/vdc /dev/vdd /dev/vde && udevadm settle`,
      ],
    ]);
  });
  it('an assembled array whose LV is inactive: what is missing, then activation, then plan again', () => {
    const plan = planEbsStripe(PARAMS, facts('lv-inactive'), IDS);
    expect(plan.again).toBe(true);
    expect(commands(plan)).toEqual([
      ['mdadm-conf', expect.stringContaining('mdadm.conf') as string],
      ['lvchange', 'lvchange --activate y vgm0/lvm0'],
    ]);
  });
});

describe('planEbsStripe: fstab already has a line for the mount point', () => {
  const full = probeText('full');
  const fstab = facts('full').fstab;
  const ours = fstab.split('\n').find((l) => l.includes('/mnt/lvm0')) ?? '';

  it("the blog's line (by LV path, no nofail) is replaced in place by the UUID line", () => {
    const blog = fstab.replace(ours, '/dev/vgm0/lvm0 /mnt/lvm0 xfs defaults 0 0');
    const plan = planEbsStripe(PARAMS, factsOf(withSection(full, 'fstab', `@@present@@\n${blog}`)), IDS);
    expect(plan.steps.map((s) => s.id)).toEqual(['fstab']);
    expect(stdinOf(plan, 'fstab')).toBe(fstab);
  });

  it('changed options are updated in place', () => {
    const old = fstab.replace(ours, ours.replace('noatime,nofail', 'defaults'));
    const plan = planEbsStripe(PARAMS, factsOf(withSection(full, 'fstab', `@@present@@\n${old}`)), IDS);
    expect(stdinOf(plan, 'fstab')).toBe(fstab);
  });

  it('a line mounting another device there is refused; --force replaces it', () => {
    const other = fstab.replace(ours, '/dev/xvdz /mnt/lvm0 ext4 defaults 0 2');
    const f = factsOf(withSection(full, 'fstab', `@@present@@\n${other}`));
    const plan = planEbsStripe(PARAMS, f, IDS);
    expect(plan.steps).toEqual([]);
    expect(plan.refusals).toEqual([
      { subject: '/etc/fstab', reason: 'line 2 mounts /dev/xvdz (ext4) at /mnt/lvm0', forceable: true },
    ]);
    const forced = planEbsStripe({ ...PARAMS, force: true }, f, IDS);
    expect(stdinOf(forced, 'fstab')).toBe(fstab);
  });

  it('duplicates (the blog appended twice) collapse into one line', () => {
    const twice = `${fstab}${ours}\n`;
    const plan = planEbsStripe(PARAMS, factsOf(withSection(full, 'fstab', `@@present@@\n${twice}`)), IDS);
    expect(stdinOf(plan, 'fstab')).toBe(fstab);
  });
});

describe('planEbsStripe: other conflicts', () => {
  it('something else mounted at the mount point', () => {
    const f = facts('lvm');
    const plan = planEbsStripe(
      PARAMS,
      {
        ...f,
        mounts: [
          ...f.mounts,
          { target: '/mnt/lvm0', source: '/dev/vdf', fstype: 'ext4', options: [], majMin: '254:80' },
        ],
      },
      IDS,
    );
    expect(plan.refusals).toEqual([
      { subject: '/mnt/lvm0', reason: 'already has /dev/vdf (ext4) mounted', forceable: false },
    ]);
  });
  it('the VG name is taken by a VG on other disks', () => {
    const f = facts('fresh');
    const plan = planEbsStripe(
      PARAMS,
      {
        ...f,
        vgs: [{ vgName: 'vgm0', pvCount: 1, lvCount: 0, sizeBytes: 1, freeBytes: 1 }],
        pvs: [{ pvName: '/dev/sdz', vgName: 'vgm0', sizeBytes: 1 }],
      },
      IDS,
    );
    expect(plan.refusals).toEqual([
      { subject: 'volume group vgm0', reason: 'exists on /dev/sdz, not on the new array /dev/md0', forceable: false },
    ]);
  });
  it('bad parameters', () => {
    const plan = planEbsStripe(
      { ...PARAMS, chunk: 100, devices: ['/dev/vdb', '/dev/vdb'], mount: 'mnt' },
      facts('fresh'),
      IDS,
    );
    expect(plan.refusals.map((r) => r.reason)).toEqual([
      'a device is listed twice',
      'chunk 100: must be a power of two ≥ 4 (KiB)',
      'mount mnt: must be an absolute path other than /',
    ]);
  });
  it('a device that does not exist', () => {
    const p = { ...PARAMS, devices: ['/dev/vdb', '/dev/nope'] };
    const f = facts('fresh', p);
    const [vdb] = f.devices;
    if (!vdb) throw new Error('fixture lacks vdb');
    const plan = planEbsStripe(
      p,
      { ...f, devices: [vdb, { path: '/dev/nope', realpath: undefined, signature: {}, superblock: undefined }] },
      IDS,
    );
    expect(plan.refusals).toEqual([{ subject: '/dev/nope', reason: 'no such block device', forceable: false }]);
  });
});
