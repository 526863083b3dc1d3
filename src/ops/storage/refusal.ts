/** Why a plan will not touch something: the device (or file) and what is on it. */
export interface Refusal {
  /** the device or file concerned, e.g. `/dev/xvdf` or `/etc/fstab` */
  readonly subject: string;
  readonly reason: string;
  /** `--force` would allow it (a signature that may be wiped); false: never (in use, mounted) */
  readonly forceable: boolean;
}

export function formatRefusals(refusals: readonly Refusal[]): string {
  return refusals.map((r) => `${r.subject}: ${r.reason}${r.forceable ? ' (pass --force to wipe it)' : ''}`).join('\n');
}
