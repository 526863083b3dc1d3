import { cmd } from '../../shell/command.js';
import { step, type Step } from '../step.js';

export function pvcreateStep(device: string): Step {
  return step('pvcreate', `create LVM physical volume on ${device}`, cmd('pvcreate', device));
}

export function vgcreateStep(vg: string, device: string): Step {
  return step('vgcreate', `create volume group ${vg} on ${device}`, cmd('vgcreate', vg, device));
}

/** `size` as lvcreate reads it (`400G`); undefined takes all free space. */
export function lvcreateStep(vg: string, lv: string, size: string | undefined): Step {
  const extent = size === undefined ? ['--extents', '100%FREE'] : ['--size', size];
  return step(
    'lvcreate',
    `create logical volume ${vg}/${lv} (${size ?? '100% of free space'})`,
    cmd('lvcreate', '--yes', '--wipesignatures', 'y', '--name', lv, ...extent, vg),
  );
}

/** device-mapper's name for an LV: dashes doubled. */
export function mapperPath(vg: string, lv: string): string {
  return `/dev/mapper/${vg.replace(/-/g, '--')}-${lv.replace(/-/g, '--')}`;
}

/** Activate an existing LV (after its array was assembled). */
export function lvActivateStep(vg: string, lv: string): Step {
  return step('lvchange', `activate logical volume ${vg}/${lv}`, cmd('lvchange', '--activate', 'y', `${vg}/${lv}`));
}
