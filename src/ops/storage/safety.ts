import type { BlockDevice } from '../../facts/storage/lsblk.js';
import type { DeviceProbe } from '../../facts/storage/storage-facts.js';
import { mdadmUuid } from '../../facts/storage/uuid.js';

export type DeviceVerdict =
  | { readonly kind: 'blank' }
  /** holds something that `wipefs --all` would remove: refused unless --force */
  | { readonly kind: 'occupied'; readonly what: string }
  /** mounted, has partitions/holders, missing: refused even with --force */
  | { readonly kind: 'unusable'; readonly why: string };

/** What is on a device that is about to become an array member. */
export function inspectDevice(probe: DeviceProbe, blockDevices: readonly BlockDevice[]): DeviceVerdict {
  const bd = probe.realpath === undefined ? undefined : blockDevices.find((b) => b.path === probe.realpath);
  if (!bd) return { kind: 'unusable', why: 'no such block device' };
  if (bd.mountpoint) return { kind: 'unusable', why: `mounted at ${bd.mountpoint}` };
  if (bd.children.length > 0) {
    const users = bd.children.map((c) => {
      const child = blockDevices.find((b) => b.path === c);
      return child ? `${c} (${child.type})` : c;
    });
    return { kind: 'unusable', why: `in use by ${users.join(', ')}` };
  }
  const what: string[] = [];
  const sig = probe.signature;
  const sb = probe.superblock;
  if (sb) {
    const parts = [
      sb.level,
      sb.raidDevices !== undefined ? `${sb.raidDevices} devices` : undefined,
      sb.name ? `name ${sb.name}` : undefined,
    ];
    what.push(`a member of md array ${mdadmUuid(sb.uuid)} (${parts.filter(Boolean).join(', ')})`);
  } else if (sig.TYPE === 'linux_raid_member') {
    what.push(`an md RAID member superblock (UUID ${sig.UUID ?? '?'})`);
  } else if (sig.TYPE === 'LVM2_member') {
    what.push(`an LVM physical volume (UUID ${sig.UUID ?? '?'})`);
  } else if (sig.TYPE) {
    const label = sig.LABEL ? ` labelled ${JSON.stringify(sig.LABEL)}` : '';
    const kind = sig.USAGE === 'filesystem' || !sig.USAGE ? 'filesystem' : 'signature';
    what.push(`${article(sig.TYPE)} ${sig.TYPE} ${kind}${label} (UUID ${sig.UUID ?? '?'})`);
  }
  if (sig.PTTYPE) what.push(`${article(sig.PTTYPE)} ${sig.PTTYPE} partition table`);
  if (bd.fstype && what.length === 0) what.push(`${article(bd.fstype)} ${bd.fstype} signature`);
  return what.length > 0 ? { kind: 'occupied', what: what.join(' and ') } : { kind: 'blank' };
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}
