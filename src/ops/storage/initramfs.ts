import { cmd } from '../../shell/command.js';
import { step, type Step } from '../step.js';

/** Rebuild the initramfs so early boot sees the new mdadm.conf: update-initramfs (Debian/Ubuntu) or dracut (EL). */
export function initramfsStep(tools: readonly string[]): Step | undefined {
  if (tools.includes('update-initramfs'))
    return step('initramfs', 'update initramfs (mdadm.conf changed)', cmd('update-initramfs', '-u'));
  if (tools.includes('dracut'))
    return step('initramfs', 'rebuild initramfs with dracut (mdadm.conf changed)', cmd('dracut', '-f'));
  return undefined;
}
