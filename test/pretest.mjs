// `npm test` on a fresh machine: install the system packages the tests use (as root, when missing), then build.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const NEEDED = {
  '/usr/sbin/sshd': 'openssh-server',
  '/usr/bin/ssh': 'openssh-client',
  '/usr/bin/sudo': 'sudo',
  '/usr/sbin/haproxy': 'haproxy',
  '/usr/bin/supervisord': 'supervisor',
  '/usr/sbin/nginx': 'nginx-light',
  '/usr/bin/socat': 'socat',
  '/usr/bin/qemu-system-x86_64': 'qemu-system-x86',
  '/usr/sbin/debootstrap': 'debootstrap',
  '/bin/busybox': 'busybox',
  '/usr/bin/cpio': 'cpio',
  '/sbin/mkfs.xfs': 'xfsprogs',
};

const missing = [...new Set(Object.entries(NEEDED).filter(([bin]) => !existsSync(bin)).map(([, pkg]) => pkg))];
const kernel = spawnSync('sh', ['-c', 'ls /boot/vmlinuz-* >/dev/null 2>&1']).status === 0;
if (!kernel) missing.push('linux-image-amd64');
if (missing.length > 0) {
  if (process.getuid?.() === 0 && !process.env.FERRY_NO_APT) {
    console.log(`pretest: installing missing Debian packages: ${missing.join(' ')}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-q'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
  } else {
    console.log(`pretest: missing ${missing.join(' ')}; tests that need them will skip (run as root to install)`);
  }
}
console.log('pretest: building (tsc)');
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
