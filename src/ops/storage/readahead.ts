import { and, cmd } from '../../shell/command.js';
import { mdadmUuid } from '../../facts/storage/uuid.js';
import { step, type Step } from '../step.js';
import { writeFileStep } from './write-file.js';

/** The udev rule file that persists an array's readahead (`/dev/md0` → `65-ferry-readahead-md0.rules`). */
export function udevRulePath(md: string): string {
  const name = md.replace(/^\/dev\/(md\/)?/, '').replace(/[^A-Za-z0-9_.-]/g, '_');
  return `/etc/udev/rules.d/65-ferry-readahead-${name}.rules`;
}

/**
 * `blockdev --setra` does not survive a reboot; this rule sets it whenever the array appears,
 * matched by array UUID (MD_UUID comes from 63-md-raid-arrays.rules), not by md name.
 * readahead is in 512-byte sectors, read_ahead_kb in KiB.
 */
export function udevRuleContent(uuid: string, readaheadSectors: number): string {
  const u = mdadmUuid(uuid);
  return [
    `# ferry: readahead of md array ${u} (${readaheadSectors} sectors)`,
    `SUBSYSTEM=="block", ACTION=="add|change", KERNEL=="md*", ENV{MD_UUID}=="${u}", ` +
      `ATTR{bdi/read_ahead_kb}="${readaheadSectors / 2}"`,
    '',
  ].join('\n');
}

export function setReadaheadStep(device: string, sectors: number): Step {
  return step(
    'readahead',
    `set readahead of ${device} to ${sectors} sectors`,
    cmd('blockdev', '--setra', String(sectors), device),
  );
}

export function udevRuleStep(md: string, uuid: string, sectors: number, reload: boolean): Step {
  const path = udevRulePath(md);
  const write = writeFileStep('udev-readahead', `persist readahead in ${path}`, path, udevRuleContent(uuid, sectors));
  if (!reload) return write;
  return { ...write, command: and(write.command, cmd('udevadm', 'control', '--reload')) };
}
