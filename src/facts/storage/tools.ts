/** The executables a probe looks for with `command -v`. */
export const PROBED_TOOLS = [
  'mdadm',
  'pvcreate',
  'mkfs.xfs',
  'update-initramfs',
  'dracut',
  'apt-get',
  'dnf',
  'yum',
  'udevadm',
  'wipefs',
] as const;

/** Names found by `command -v a b c …` (it prints one path, or a bare name for builtins, per tool found). */
export function parseCommandV(stdout: string): string[] {
  return stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => l.slice(l.lastIndexOf('/') + 1));
}
