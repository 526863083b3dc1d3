import { and, cmd } from '../../shell/command.js';
import { mdadmUuid } from '../../facts/storage/uuid.js';
import { step, type Step } from '../step.js';

export interface CreateRaid0 {
  /** `/dev/md0` */
  readonly md: string;
  readonly devices: readonly string[];
  readonly chunkKb: number;
  /** chosen by the planner, so mdadm.conf and later phases know it before the array exists */
  readonly uuid: string;
}

/**
 * Create a RAID0 array without questions (`--run`), then wipe any stale signature its data area
 * may show (recreating an array on old disks resurrects the old PV or filesystem inside it).
 */
export function createRaid0Step(a: CreateRaid0): Step {
  return step(
    'mdadm-create',
    `create RAID0 ${a.md} from ${a.devices.length} devices (chunk ${a.chunkKb}K)`,
    and(
      cmd(
        'mdadm',
        '--create',
        a.md,
        '--run',
        '--level=0',
        `--chunk=${a.chunkKb}`,
        `--raid-devices=${a.devices.length}`,
        '--metadata=1.2',
        `--uuid=${mdadmUuid(a.uuid)}`,
        ...a.devices,
      ),
      cmd('wipefs', '--all', '--quiet', a.md),
    ),
  );
}

/** Assemble an existing array (members carry its superblocks) under the requested name. */
export function assembleStep(md: string, uuid: string, devices: readonly string[]): Step {
  return step(
    'mdadm-assemble',
    `assemble array ${mdadmUuid(uuid)} as ${md}`,
    // settle: let udev register the array (and LVM see its PV) before the next probe
    and(cmd('mdadm', '--assemble', md, `--uuid=${mdadmUuid(uuid)}`, ...devices), cmd('udevadm', 'settle')),
  );
}

/** Remove every signature (filesystem, partition table, PV label, md superblock) from a device. */
export function wipeStep(device: string, what: string): Step {
  return step(`wipe:${device}`, `wipe ${what} on ${device} (--force)`, cmd('wipefs', '--all', device));
}
