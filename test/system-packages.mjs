// The Debian packages ferry's tests, demo and benchmarks use: installed (as root) when missing.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const NEEDED = {
  '/usr/sbin/sshd': 'openssh-server',
  '/usr/bin/ssh': 'openssh-client',
  '/usr/bin/sudo': 'sudo',
  '/usr/bin/git': 'git',
  '/usr/sbin/haproxy': 'haproxy',
  '/usr/bin/supervisord': 'supervisor',
  '/usr/sbin/nginx': 'nginx-light',
  '/usr/bin/socat': 'socat',
  '/usr/bin/qemu-system-x86_64': 'qemu-system-x86',
  '/usr/sbin/debootstrap': 'debootstrap',
  '/bin/busybox': 'busybox',
  '/usr/bin/cpio': 'cpio',
  '/sbin/mkfs.xfs': 'xfsprogs',
  '/usr/lib/python3.11/ensurepip/__init__.py': 'python3-venv',
  '/usr/bin/parallel-ssh': 'pssh',
  '/usr/lib/python3/dist-packages/fabric/__init__.py': 'python3-fabric',
  '/usr/bin/ansible': 'ansible-core',
  '/usr/bin/tmux': 'tmux',
  '/usr/bin/carbon-cache': 'graphite-carbon',
  '/usr/bin/whisper-fetch': 'python3-whisper',
};

export function ensureSystemPackages(label) {
  const missing = [
    ...new Set(
      Object.entries(NEEDED)
        .filter(([f]) => !existsSync(f))
        .map(([, p]) => p),
    ),
  ];
  if (spawnSync('sh', ['-c', 'ls /boot/vmlinuz-* >/dev/null 2>&1']).status !== 0) missing.push('linux-image-amd64');
  if (missing.length === 0) return;
  if (process.getuid?.() === 0 && !process.env.FERRY_NO_APT) {
    console.log(`${label}: installing missing Debian packages: ${missing.join(' ')}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-q'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
  } else {
    console.log(`${label}: missing ${missing.join(' ')}; what needs them will skip (run as root to install)`);
  }
}

export function build(label) {
  console.log(`${label}: building (npm run build: tsc, then the CLI bundle)`);
  const r = spawnSync('npm', ['run', '--silent', 'build'], { encoding: 'utf8' });
  if (r.status !== 0) {
    process.stderr.write(`${r.stdout ?? ''}${r.stderr ?? ''}`); // tsc reports on stdout
    throw new Error(`${label}: npm run build failed (exit ${r.status})`);
  }
}
