import type { StorageFacts, StorageProbeInput } from '../../facts/storage/storage-facts.js';
import { MDADM_CONF_DEBIAN, MDADM_CONF_REDHAT } from '../../facts/storage/storage-facts.js';
import { isDebianLike } from '../../facts/storage/os-release.js';
import { dashedUuid, mdadmUuid, normalizeUuid, tryNormalizeUuid } from '../../facts/storage/uuid.js';
import type { FstabEntry } from '../../facts/storage/fstab.js';
import type { Step } from '../step.js';
import type { Refusal } from './refusal.js';
import { installPackagesStep } from './packages.js';
import { assembleStep, createRaid0Step, wipeStep } from './mdadm.js';
import { arrayLine, planMdadmConf } from './mdadm-conf.js';
import { initramfsStep } from './initramfs.js';
import { setReadaheadStep, udevRuleContent, udevRulePath, udevRuleStep } from './readahead.js';
import { lvActivateStep, lvcreateStep, mapperPath, pvcreateStep, vgcreateStep } from './lvm.js';
import { mkfsXfsStep } from './xfs.js';
import { planFstab, withNofail } from './fstab.js';
import { mountStep, normalizeMountPoint } from './mount.js';
import { appendUnlessPresentStep, writeFileStep } from './write-file.js';
import { inspectDevice } from './safety.js';
import { isSize } from './size.js';

export interface EbsStripeParams {
  readonly devices: readonly string[];
  /** LV size as lvcreate reads it (`400G`); undefined: 100% of the free space */
  readonly size?: string | undefined;
  readonly mount: string;
  /** RAID chunk in KiB */
  readonly chunk: number;
  /** readahead in 512-byte sectors */
  readonly readahead: number;
  readonly vg: string;
  readonly lv: string;
  /** md device name for a new array (an existing one is found by UUID, whatever its name) */
  readonly md: string;
  readonly mountOptions: string;
  readonly force: boolean;
}

/** Identities for what this plan creates, chosen up front so every later step can name them. */
export interface NewIds {
  readonly arrayUuid: string;
  readonly fsUuid: string;
}

export interface Unchanged {
  readonly id: string;
  readonly what: string;
}

export interface StoragePlan {
  /** empty when anything was refused */
  readonly steps: readonly Step[];
  readonly refusals: readonly Refusal[];
  /** what is already as wanted (for the report), keyed by the id of the step it spares */
  readonly unchanged: readonly Unchanged[];
  /** facts worth telling the user that change nothing */
  readonly notes: readonly string[];
  /**
   * the plan stops early: what it does (assembling an array, activating an LV) reveals facts
   * the rest depends on, so probe again and plan the next phase after applying this one
   */
  readonly again: boolean;
}

export function stripeProbeInput(p: EbsStripeParams): StorageProbeInput {
  return { devices: p.devices, vg: p.vg, lv: p.lv, mount: p.mount, udevRule: udevRulePath(p.md) };
}

/** Parameter problems the schema cannot express. */
export function checkStripeParams(p: EbsStripeParams): string[] {
  const out: string[] = [];
  if (p.devices.length === 0) out.push('no devices given');
  if (new Set(p.devices).size !== p.devices.length) out.push('a device is listed twice');
  for (const d of p.devices) if (!d.startsWith('/dev/')) out.push(`${d}: not a /dev path`);
  if (!Number.isInteger(p.chunk) || p.chunk < 4 || (p.chunk & (p.chunk - 1)) !== 0)
    out.push(`chunk ${p.chunk}: must be a power of two ≥ 4 (KiB)`);
  if (!Number.isInteger(p.readahead) || p.readahead < 2 || p.readahead % 2 !== 0)
    out.push(`readahead ${p.readahead}: must be an even number of sectors`);
  if (!p.mount.startsWith('/') || p.mount === '/') out.push(`mount ${p.mount}: must be an absolute path other than /`);
  if (!/^\/dev\/md(\d+|\/[A-Za-z0-9_.-]+)$/.test(p.md)) out.push(`md ${p.md}: must look like /dev/md0 or /dev/md/name`);
  if (!/^[A-Za-z0-9_.+][A-Za-z0-9_.+-]*$/.test(p.vg)) out.push(`vg ${p.vg}: not a valid volume group name`);
  if (!/^[A-Za-z0-9_.+][A-Za-z0-9_.+-]*$/.test(p.lv)) out.push(`lv ${p.lv}: not a valid logical volume name`);
  if (p.size !== undefined && !isSize(p.size)) out.push(`size ${p.size}: use e.g. 400G or 512M`);
  return out;
}

const KNOWN_PACKAGES: ReadonlyArray<readonly [tool: string, pkg: string]> = [
  ['mdadm', 'mdadm'],
  ['pvcreate', 'lvm2'],
  ['mkfs.xfs', 'xfsprogs'],
];

/**
 * (params, facts) → the missing steps, in order: packages → array → mdadm.conf (+ initramfs) →
 * readahead (now + udev rule) → PV → VG → LV → XFS → fstab → mount. Everything already in place
 * yields no step, so a second run plans nothing.
 */
export function planEbsStripe(p: EbsStripeParams, f: StorageFacts, ids: NewIds): StoragePlan {
  const refusals: Refusal[] = [];
  const refuse = (subject: string, reason: string, forceable = false): void => {
    refusals.push({ subject, reason, forceable });
  };
  const steps: Step[] = [];
  const unchanged: Unchanged[] = [];
  const notes: string[] = [];
  const has = (tool: string): boolean => f.tools.includes(tool);

  for (const problem of checkStripeParams(p)) refuse('params', problem);
  if (refusals.length > 0) return { steps: [], refusals, unchanged, notes, again: false };

  // 1. packages
  const missing = KNOWN_PACKAGES.filter(([tool]) => !has(tool)).map(([, pkg]) => pkg);
  if (missing.length > 0) {
    const s = installPackagesStep(missing, f.tools);
    if (s) steps.push(s);
    else refuse('packages', `${missing.join(', ')} missing and no apt-get, dnf or yum to install them`);
  } else unchanged.push({ id: 'packages', what: 'packages mdadm, lvm2, xfsprogs present' });

  // 2. the array: recognised by the members' superblocks (array UUID), never by /dev/mdN name
  const n = p.devices.length;
  const members = f.devices.map((d) => d.realpath ?? d.path);
  const sbs = f.devices.map((d) => d.superblock);
  const first = sbs[0];
  const ours =
    first !== undefined &&
    sbs.every((sb) => sb !== undefined && sb.uuid === first.uuid) &&
    first.level === 'raid0' &&
    first.raidDevices === n;
  let arrayUuid: string;
  let arrayDev: string;
  let created = false;
  let chunkKb = p.chunk;
  if (ours) {
    arrayUuid = first.uuid;
    const active = f.arrays.find((a) => a.uuid === arrayUuid);
    if (active) {
      arrayDev = active.device;
      const stat = f.mdstat.find((m) => `/dev/${m.name}` === arrayDev);
      if (stat?.chunkKb !== undefined) chunkKb = stat.chunkKb;
      unchanged.push({
        id: 'mdadm-assemble',
        what: `array ${arrayDev} (raid0, ${n} members, UUID ${mdadmUuid(arrayUuid)})`,
      });
      if (chunkKb !== p.chunk)
        notes.push(`array ${arrayDev} has chunk ${chunkKb}K, not ${p.chunk}K: kept (XFS is aligned to ${chunkKb}K)`);
    } else {
      // what is inside the array (PV, VG, LV, filesystem) is only visible once it is assembled
      checkMdNameFree(p.md, f, refuse);
      if (refusals.length > 0) return { steps: [], refusals, unchanged, notes, again: false };
      notes.push(`array ${mdadmUuid(first.uuid)} is not assembled: assembling it, then planning the rest`);
      return { steps: [assembleStep(p.md, first.uuid, members)], refusals, unchanged, notes, again: true };
    }
  } else {
    arrayUuid = normalizeUuid(ids.arrayUuid);
    arrayDev = p.md;
    created = true;
    const wipes: Step[] = [];
    f.devices.forEach((d) => {
      const v = inspectDevice(d, f.blockDevices);
      if (v.kind === 'unusable') refuse(d.path, v.why);
      if (v.kind === 'occupied') {
        if (p.force) wipes.push(wipeStep(d.path, v.what));
        else refuse(d.path, `holds ${v.what}`, true);
      }
    });
    if (new Set(members).size !== members.length) refuse('devices', 'two of the devices are the same disk');
    checkMdNameFree(p.md, f, refuse);
    steps.push(...wipes, createRaid0Step({ md: p.md, devices: p.devices, chunkKb: p.chunk, uuid: arrayUuid }));
  }

  // 3. mdadm.conf: one ARRAY line for this array (by UUID) + initramfs
  const debian = isDebianLike(f.os) || (f.os.id === '' && has('update-initramfs'));
  const confPath = debian ? MDADM_CONF_DEBIAN : MDADM_CONF_REDHAT;
  const confText = debian ? f.mdadmConf.debian : f.mdadmConf.redhat;
  let confChanged = false;
  if (confText === undefined) {
    steps.push(
      appendUnlessPresentStep(
        'mdadm-conf',
        `add ARRAY line to ${confPath}`,
        confPath,
        mdadmUuid(arrayUuid),
        arrayLine(p.md, arrayUuid),
      ),
    );
    confChanged = true;
  } else {
    const c = planMdadmConf(confText, p.md, arrayUuid);
    if (c.kind === 'conflict') refuse(confPath, c.reason);
    else if (c.kind === 'write') {
      steps.push(
        writeFileStep(
          'mdadm-conf',
          `write the ARRAY line for ${mdadmUuid(arrayUuid)} in ${confPath}`,
          confPath,
          c.content,
        ),
      );
      confChanged = true;
    } else unchanged.push({ id: 'mdadm-conf', what: `${confPath} has one ARRAY line for the array` });
  }
  if (confChanged) {
    const s = initramfsStep(f.tools);
    if (s) steps.push(s);
    else
      notes.push(
        'no update-initramfs or dracut on the host: initramfs not rebuilt ' +
          '(the array is assembled from the root filesystem)',
      );
  }

  // 4. readahead now, and persisted by a udev rule
  const bd = f.blockDevices.find((b) => b.path === arrayDev);
  if (created || bd?.readaheadKb === undefined || bd.readaheadKb * 2 !== p.readahead)
    steps.push(setReadaheadStep(arrayDev, p.readahead));
  else unchanged.push({ id: 'readahead', what: `readahead of ${arrayDev} is ${p.readahead} sectors` });
  if (f.udevRule !== udevRuleContent(arrayUuid, p.readahead))
    steps.push(udevRuleStep(p.md, arrayUuid, p.readahead, has('udevadm')));
  else unchanged.push({ id: 'udev-readahead', what: `udev rule ${udevRulePath(p.md)} persists the readahead` });

  // 5. LVM: PV on the array → VG → LV
  const pv = created ? undefined : f.pvs.find((x) => x.pvName === arrayDev);
  if (!pv) {
    if (!created && bd?.fstype && bd.fstype !== 'LVM2_member') {
      if (p.force) steps.push(wipeStep(arrayDev, `a ${bd.fstype} signature`));
      else refuse(arrayDev, `holds a ${bd.fstype} signature, not an LVM physical volume`, true);
    }
    steps.push(pvcreateStep(arrayDev));
  } else if (pv.vgName !== '' && pv.vgName !== p.vg) {
    refuse(arrayDev, `is already a physical volume of volume group ${pv.vgName}`);
  } else unchanged.push({ id: 'pvcreate', what: `physical volume ${arrayDev}` });
  const vg = f.vgs.find((x) => x.vgName === p.vg);
  if (!vg) steps.push(vgcreateStep(p.vg, arrayDev));
  else if (pv?.vgName !== p.vg) {
    const on = f.pvs.filter((x) => x.vgName === p.vg).map((x) => x.pvName);
    const array = created ? `the new array ${arrayDev}` : arrayDev;
    refuse(`volume group ${p.vg}`, `exists on ${on.join(', ') || 'other physical volumes'}, not on ${array}`);
  } else unchanged.push({ id: 'vgcreate', what: `volume group ${p.vg}` });
  const lvPath = `/dev/${p.vg}/${p.lv}`;
  const lv = vg ? f.lvs.find((x) => x.vgName === p.vg && x.lvName === p.lv) : undefined;
  if (!lv) steps.push(lvcreateStep(p.vg, p.lv, p.size));
  else if (!lv.active) {
    if (refusals.length > 0) return { steps: [], refusals, unchanged, notes, again: false };
    notes.push(`${lvPath} is not active: activating it, then planning the rest`);
    return { steps: [...steps, lvActivateStep(p.vg, p.lv)], refusals, unchanged, notes, again: true };
  } else unchanged.push({ id: 'lvcreate', what: `logical volume ${lvPath}` });

  // 6. XFS: only on an empty LV; never over another filesystem
  let fsUuid = normalizeUuid(ids.fsUuid);
  const sig = lv ? f.lvSignature : {};
  if (sig.TYPE === undefined) {
    steps.push(mkfsXfsStep({ device: lvPath, chunkKb, members: n, uuid: fsUuid }));
  } else if (sig.TYPE === 'xfs' && tryNormalizeUuid(sig.UUID)) {
    fsUuid = normalizeUuid(sig.UUID ?? '');
    unchanged.push({ id: 'mkfs', what: `XFS on ${lvPath} (UUID ${dashedUuid(fsUuid)})` });
  } else
    refuse(
      lvPath,
      `holds a ${sig.TYPE} filesystem (UUID ${sig.UUID ?? '?'}); ferry never formats over an existing filesystem`,
    );

  // 7. fstab: exactly one line, by UUID, with nofail
  const uuidSpec = `UUID=${dashedUuid(fsUuid)}`;
  const ourSpecs = new Set([uuidSpec.toLowerCase(), lvPath, mapperPath(p.vg, p.lv)]);
  const isOurs = (e: FstabEntry): boolean => ourSpecs.has(e.spec.startsWith('UUID=') ? e.spec.toLowerCase() : e.spec);
  const fstab = planFstab(f.fstab, {
    line: { spec: uuidSpec, file: p.mount, vfstype: 'xfs', options: withNofail(p.mountOptions), freq: 0, passno: 0 },
    isOurs,
    force: p.force,
  });
  if (fstab.kind === 'conflict') {
    for (const e of fstab.entries)
      refuse('/etc/fstab', `line ${e.line + 1} mounts ${e.spec} (${e.vfstype}) at ${e.file}`, true);
  } else if (fstab.kind === 'write') {
    const what = fstab.replaced.length > 0 ? `replace ${fstab.replaced.length} line(s) in` : 'add a line to';
    steps.push(writeFileStep('fstab', `${what} /etc/fstab: ${uuidSpec} ${p.mount}`, '/etc/fstab', fstab.content));
  } else unchanged.push({ id: 'fstab', what: `/etc/fstab has one line for ${p.mount}` });

  // 8. mount
  const target = normalizeMountPoint(p.mount);
  const mounted = f.mounts.find((m) => normalizeMountPoint(m.target) === target);
  const lvBd = f.blockDevices.find((b) => b.path === mapperPath(p.vg, p.lv) || b.path === lvPath);
  if (!mounted) steps.push(mountStep(p.mount));
  else if (
    mounted.source === lvPath ||
    mounted.source === mapperPath(p.vg, p.lv) ||
    (lvBd?.majMin !== undefined && mounted.majMin === lvBd.majMin)
  ) {
    unchanged.push({ id: 'mount', what: `${p.mount} mounted` });
  } else refuse(p.mount, `already has ${mounted.source} (${mounted.fstype}) mounted`);

  if (refusals.length > 0) return { steps: [], refusals, unchanged, notes, again: false };
  return { steps, refusals, unchanged, notes, again: false };
}

function checkMdNameFree(md: string, f: StorageFacts, refuse: (s: string, r: string) => void): void {
  const taken = f.arrays.find((a) => a.device === md);
  const inMdstat = f.mdstat.find((m) => `/dev/${m.name}` === md);
  if (taken) refuse(md, `is already array ${taken.uuid ? mdadmUuid(taken.uuid) : '?'}; choose another --md`);
  else if (inMdstat)
    refuse(md, `is already in use (${inMdstat.active ? 'active' : 'inactive'} array); choose another --md`);
}
