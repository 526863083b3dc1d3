import { accessSync, constants, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';

const TMPFS_MAGIC = 0x01021994;
const MIN_FREE = 2 * 2 ** 30;

/**
 * Where fleets live by default: $FERRY_FLEET_TMPDIR, else /dev/shm when it is a writable tmpfs
 * with ≥ 2 GiB free, else os.tmpdir(). tmpfs matters: seeding 200 host roots (≈ 9,000 files)
 * takes ~0.1 s there and 6–8 s on this machine's ext4 disk under load.
 */
export function fleetParentDir(): string {
  const forced = process.env.FERRY_FLEET_TMPDIR;
  if (forced) return forced;
  try {
    const fs = statfsSync('/dev/shm');
    accessSync('/dev/shm', constants.W_OK);
    if (fs.type === TMPFS_MAGIC && fs.bavail * fs.bsize >= MIN_FREE) return '/dev/shm';
  } catch {
    // no usable /dev/shm
  }
  return tmpdir();
}

/** Every place a default-dir fleet may be (for reaping stale ones). */
export function fleetParentDirs(): string[] {
  return [...new Set([fleetParentDir(), '/dev/shm', tmpdir()])];
}
