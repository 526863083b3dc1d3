export {
  storageFacts,
  parseStorageFacts,
  MDADM_CONF_DEBIAN,
  MDADM_CONF_REDHAT,
  type StorageFacts,
  type StorageProbeInput,
  type DeviceProbe,
} from './storage-facts.js';
export { swapfileFacts, parseSwapfileFacts, type SwapfileFacts } from './swapfile-facts.js';
export { parseLsblk, LSBLK_COLUMNS, type BlockDevice } from './lsblk.js';
export { parseMdstat, type MdstatArray } from './mdstat.js';
export { parseArrayEntries, type ArrayEntry } from './mdadm-conf.js';
export { parseMdadmExamine, parseMdadmDetail, type MdSuperblock, type MdDetail } from './mdadm-export.js';
export { parsePvs, parseVgs, parseLvs, type PhysicalVolume, type VolumeGroup, type LogicalVolume } from './lvm.js';
export { parseFindmnt, type Mount } from './findmnt.js';
export { parseFstab, type FstabEntry } from './fstab.js';
export { parseExportVars, type ExportVars } from './export-vars.js';
export { parseProcSwaps, type SwapArea } from './swaps.js';
export { normalizeUuid, mdadmUuid, dashedUuid } from './uuid.js';
