import { parseExportVars } from './export-vars.js';
import { tryNormalizeUuid } from './uuid.js';

/** An md superblock as `mdadm --examine --export DEV` reports it (undefined: not a member). */
export interface MdSuperblock {
  readonly uuid: string;
  readonly level: string | undefined;
  readonly raidDevices: number | undefined;
  /** `host:0` */
  readonly name: string | undefined;
}

export function parseMdadmExamine(stdout: string): MdSuperblock | undefined {
  const v = parseExportVars(stdout);
  const uuid = tryNormalizeUuid(v.MD_UUID);
  if (!uuid) return undefined;
  return {
    uuid,
    level: v.MD_LEVEL,
    raidDevices: v.MD_DEVICES !== undefined ? Number(v.MD_DEVICES) : undefined,
    name: v.MD_NAME,
  };
}

/** An assembled array as `mdadm --detail --export /dev/mdN` reports it. */
export interface MdDetail {
  readonly uuid: string;
  readonly level: string | undefined;
  readonly raidDevices: number | undefined;
  readonly name: string | undefined;
  /** `/dev/md0` → `0`; a named array `/dev/md/data` → `data` */
  readonly devname: string | undefined;
  /** member device paths */
  readonly members: readonly string[];
}

export function parseMdadmDetail(stdout: string): MdDetail | undefined {
  const v = parseExportVars(stdout);
  const uuid = tryNormalizeUuid(v.MD_UUID);
  if (!uuid) return undefined;
  const members = Object.entries(v)
    .filter(([k]) => /^MD_DEVICE_.*_DEV$/.test(k))
    .map(([, path]) => path)
    .sort();
  return {
    uuid,
    level: v.MD_LEVEL,
    raidDevices: v.MD_DEVICES !== undefined ? Number(v.MD_DEVICES) : undefined,
    name: v.MD_NAME,
    devname: v.MD_DEVNAME,
    members,
  };
}
