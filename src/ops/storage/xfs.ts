import { cmd } from '../../shell/command.js';
import { dashedUuid } from '../../facts/storage/uuid.js';
import { step, type Step } from '../step.js';

export interface MkfsXfs {
  readonly device: string;
  /** stripe unit = the RAID chunk */
  readonly chunkKb: number;
  /** stripe width in units = data disks (all members for RAID0) */
  readonly members: number;
  readonly uuid: string;
}

/**
 * mkfs.xfs with explicit stripe geometry (mkfs drops the detected alignment on small volumes)
 * and never `-f`: it refuses to overwrite an existing filesystem, which is what we want.
 */
export function mkfsXfsStep(m: MkfsXfs): Step {
  return step(
    'mkfs',
    `make XFS on ${m.device} (su=${m.chunkKb}k, sw=${m.members})`,
    cmd('mkfs.xfs', '-m', `uuid=${dashedUuid(m.uuid)}`, '-d', `su=${m.chunkKb}k,sw=${m.members}`, m.device),
  );
}
