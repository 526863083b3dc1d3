import { quote } from '../../shell/quote.js';
import type { Fact } from '../fact.js';
import { parseExportVars, type ExportVars } from './export-vars.js';
import { parseLsblk, LSBLK_COLUMNS, type BlockDevice } from './lsblk.js';
import { parseMdstat, type MdstatArray } from './mdstat.js';
import { parseArrayEntries, type ArrayEntry } from './mdadm-conf.js';
import { parseMdadmExamine, type MdSuperblock } from './mdadm-export.js';
import {
  parsePvs,
  parseVgs,
  parseLvs,
  PVS_FIELDS,
  VGS_FIELDS,
  LVS_FIELDS,
  type PhysicalVolume,
  type VolumeGroup,
  type LogicalVolume,
} from './lvm.js';
import { parseFindmnt, FINDMNT_COLUMNS, type Mount } from './findmnt.js';
import { parseOsRelease, type OsRelease } from './os-release.js';
import { parseCommandV, PROBED_TOOLS } from './tools.js';
import { section, fileSection, fileContent, probe, splitSections } from './sections.js';

export const MDADM_CONF_DEBIAN = '/etc/mdadm/mdadm.conf';
export const MDADM_CONF_REDHAT = '/etc/mdadm.conf';

/** What the storage probe needs to know about the request. */
export interface StorageProbeInput {
  readonly devices: readonly string[];
  readonly vg: string;
  readonly lv: string;
  readonly mount: string;
  /** the udev rule file that persists the array's readahead */
  readonly udevRule: string;
}

/** One requested device as the host sees it. */
export interface DeviceProbe {
  /** as given by the user */
  readonly path: string;
  /** `readlink -f` of it (by-id links resolved); undefined when it does not exist */
  readonly realpath: string | undefined;
  /** low-level signatures (`blkid -p -o export`): TYPE, PTTYPE, UUID, LABEL, … */
  readonly signature: ExportVars;
  /** md superblock (`mdadm --examine --export`), when it is an array member */
  readonly superblock: MdSuperblock | undefined;
}

export interface StorageFacts {
  readonly os: OsRelease;
  /** executables present (`mdadm`, `pvcreate`, `mkfs.xfs`, `update-initramfs`, …) */
  readonly tools: readonly string[];
  readonly blockDevices: readonly BlockDevice[];
  readonly devices: readonly DeviceProbe[];
  /** /proc/mdstat (empty when md is not loaded) */
  readonly mdstat: readonly MdstatArray[];
  /** assembled arrays: `mdadm --detail --scan --verbose` */
  readonly arrays: readonly ArrayEntry[];
  /** mdadm.conf text by path; undefined when the file is absent */
  readonly mdadmConf: { readonly debian: string | undefined; readonly redhat: string | undefined };
  readonly pvs: readonly PhysicalVolume[];
  readonly vgs: readonly VolumeGroup[];
  readonly lvs: readonly LogicalVolume[];
  /** signatures on /dev/<vg>/<lv> (TYPE=xfs, UUID=…), empty when none or absent */
  readonly lvSignature: ExportVars;
  readonly mounts: readonly Mount[];
  /** /etc/fstab text ('' when absent) */
  readonly fstab: string;
  /** the udev readahead rule's content; undefined when absent */
  readonly udevRule: string | undefined;
  readonly mountDirExists: boolean;
}

const LVM_JSON = '--reportformat json --units b --nosuffix';

/** One round trip that reads everything the EBS-stripe planner needs. Read-only, tolerant. */
export function storageFacts(input: StorageProbeInput): Fact<StorageFacts> {
  const lvPath = `/dev/${input.vg}/${input.lv}`;
  const perDevice = input.devices.flatMap((d, i) => [
    section(`realpath:${i}`, `readlink -e ${quote(d)}`),
    section(`blkid:${i}`, `blkid -p -o export ${quote(d)}`),
    section(`examine:${i}`, `command -v mdadm >/dev/null && mdadm --examine --export ${quote(d)}`),
  ]);
  const command = probe(
    fileSection('os', '/etc/os-release'),
    section('tools', `command -v ${PROBED_TOOLS.join(' ')}`),
    section('lsblk', `lsblk -J -b -o ${LSBLK_COLUMNS}`),
    ...perDevice,
    section('mdstat', 'cat /proc/mdstat'),
    section('mdscan', 'command -v mdadm >/dev/null && mdadm --detail --scan --verbose'),
    fileSection('mdadm.conf:debian', MDADM_CONF_DEBIAN),
    fileSection('mdadm.conf:redhat', MDADM_CONF_REDHAT),
    section('pvs', `command -v pvs >/dev/null && pvs ${LVM_JSON} -o ${PVS_FIELDS}`),
    section('vgs', `command -v vgs >/dev/null && vgs ${LVM_JSON} -o ${VGS_FIELDS}`),
    section('lvs', `command -v lvs >/dev/null && lvs ${LVM_JSON} -o ${LVS_FIELDS}`),
    section('lvblkid', `test -b ${quote(lvPath)} && blkid -p -o export ${quote(lvPath)}`),
    section('findmnt', `findmnt -J -l -o ${FINDMNT_COLUMNS}`),
    fileSection('fstab', '/etc/fstab'),
    fileSection('udev', input.udevRule),
    section('mountdir', `test -d ${quote(input.mount)} && echo yes`),
  );
  return {
    name: 'storage',
    command,
    parse: (stdout) => parseStorageFacts(stdout, input),
  };
}

export function parseStorageFacts(stdout: string, input: StorageProbeInput): StorageFacts {
  const s = splitSections(stdout);
  const get = (name: string): string => s.get(name) ?? '';
  const json = <T>(name: string, parse: (text: string) => T[]): T[] => {
    try {
      return parse(get(name));
    } catch {
      return []; // a tool that printed an error instead of JSON: treat as nothing found
    }
  };
  return {
    os: parseOsRelease(fileContent(s.get('os')) ?? ''),
    tools: parseCommandV(get('tools')),
    blockDevices: json('lsblk', parseLsblk),
    devices: input.devices.map((path, i) => ({
      path,
      realpath: get(`realpath:${i}`).trim() || undefined,
      signature: parseExportVars(get(`blkid:${i}`)),
      superblock: parseMdadmExamine(get(`examine:${i}`)),
    })),
    mdstat: parseMdstat(get('mdstat')),
    arrays: parseArrayEntries(get('mdscan')),
    mdadmConf: { debian: fileContent(s.get('mdadm.conf:debian')), redhat: fileContent(s.get('mdadm.conf:redhat')) },
    pvs: json('pvs', parsePvs),
    vgs: json('vgs', parseVgs),
    lvs: json('lvs', parseLvs),
    lvSignature: parseExportVars(get('lvblkid')),
    mounts: json('findmnt', parseFindmnt),
    fstab: fileContent(s.get('fstab')) ?? '',
    udevRule: fileContent(s.get('udev')),
    mountDirExists: get('mountdir').trim() === 'yes',
  };
}
