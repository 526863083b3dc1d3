import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const SSHD = '/usr/sbin/sshd';

let cached: { ok: true } | { ok: false; reason: string } | undefined;

/** Whether this machine can run a fleet; tests skip with `reason` when not. */
export function canRunFleet(): { ok: true } | { ok: false; reason: string } {
  cached ??= check();
  return cached;
}

function check(): { ok: true } | { ok: false; reason: string } {
  if (process.platform !== 'linux')
    return { ok: false, reason: `fleet needs Linux mount namespaces (platform is ${process.platform})` };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'fleet needs root (mount namespaces, sshd, useradd)' };
  if (!existsSync(SSHD)) return { ok: false, reason: `${SSHD} missing (apt-get install openssh-server)` };
  for (const tool of ['ssh', 'ssh-keygen', 'unshare', 'mount', 'flock', 'useradd', 'chpasswd', 'visudo', 'sudo']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0) {
      return { ok: false, reason: `${tool} not found on PATH` };
    }
  }
  const probe = spawnSync(
    'unshare',
    ['-m', '--propagation', 'private', 'sh', '-c', 'mount --bind /srv /srv 2>/dev/null || mount -t tmpfs none /mnt'],
    {
      encoding: 'utf8',
    },
  );
  if (probe.status !== 0)
    return {
      ok: false,
      reason: `cannot create a mount namespace and mount in it: ${probe.stderr.trim() || probe.error?.message}`,
    };
  return { ok: true };
}

let sshdVersion: [number, number] | undefined;

/** [major, minor] of the installed sshd (from `sshd -V`). */
export function installedSshdVersion(): [number, number] {
  if (sshdVersion) return sshdVersion;
  const out = spawnSync(SSHD, ['-V'], { encoding: 'utf8' });
  const match = /OpenSSH_(\d+)\.(\d+)/.exec(`${out.stdout}${out.stderr}`);
  sshdVersion = match ? [Number(match[1]), Number(match[2])] : [0, 0];
  return sshdVersion;
}

export function hasSetpriv(): boolean {
  return spawnSync('sh', ['-c', 'setpriv --help 2>/dev/null | grep -q pdeathsig'], { stdio: 'ignore' }).status === 0;
}
