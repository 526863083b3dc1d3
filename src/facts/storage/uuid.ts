import { UsageError } from '../../errors/usage-error.js';

/** 32 lowercase hex digits, whatever the spelling (`a:b:c:d` from mdadm, dashed from blkid). */
export function normalizeUuid(uuid: string): string {
  const hex = uuid.toLowerCase().replace(/[^0-9a-f]/g, '');
  if (hex.length !== 32) throw new UsageError(`not a 128-bit UUID: ${uuid}`);
  return hex;
}

/** Same as normalizeUuid, undefined for missing or malformed input. */
export function tryNormalizeUuid(uuid: string | undefined | null): string | undefined {
  if (!uuid) return undefined;
  const hex = uuid.toLowerCase().replace(/[^0-9a-f]/g, '');
  return hex.length === 32 ? hex : undefined;
}

/** mdadm's spelling: `xxxxxxxx:xxxxxxxx:xxxxxxxx:xxxxxxxx`. */
export function mdadmUuid(uuid: string): string {
  const h = normalizeUuid(uuid);
  return `${h.slice(0, 8)}:${h.slice(8, 16)}:${h.slice(16, 24)}:${h.slice(24)}`;
}

/** The usual dashed spelling (blkid, filesystems): `8-4-4-4-12`. */
export function dashedUuid(uuid: string): string {
  const h = normalizeUuid(uuid);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
