import { and, cmd } from '../../shell/command.js';
import { step, type Step } from '../step.js';

/** Create the mount point and mount it as /etc/fstab says (which also proves the fstab line works). */
export function mountStep(mountPoint: string): Step {
  return step('mount', `mount ${mountPoint}`, and(cmd('mkdir', '-p', mountPoint), cmd('mount', mountPoint)));
}

export function normalizeMountPoint(path: string): string {
  const p = path.replace(/\/+$/, '');
  return p === '' ? '/' : p;
}
