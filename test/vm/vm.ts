/** Drives test/vm/vm.sh: build (cached), start, ssh, reboot, stop. */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./vm.sh', import.meta.url));

function sh(args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(SCRIPT, args, { timeout: timeoutMs, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`vm.sh ${args[0]} failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** Why the VM tests cannot run here, or undefined when they can. */
export function vmUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (debootstrap, chroot)';
  for (const tool of ['qemu-system-x86_64', 'debootstrap', 'busybox', 'cpio', 'ssh', 'mkfs.ext4']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      const packages = 'qemu-system-x86 debootstrap busybox cpio openssh-client e2fsprogs linux-image-amd64';
      return `${tool} not installed (apt-get install ${packages})`;
    }
  }
  if (!execFileSync('sh', ['-c', 'ls /boot/vmlinuz-*-amd64 2>/dev/null || true']).toString().trim())
    return 'no /boot/vmlinuz-*-amd64 (apt-get install linux-image-amd64)';
  return undefined;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export async function buildImage(): Promise<{ dir: string; cached: boolean; ms: number }> {
  const key = (await sh(['key'], 10_000)).trim();
  const cache = process.env.FERRY_VM_CACHE ?? '/var/cache/ferry-vm';
  const cached = existsSync(join(cache, key, 'ready'));
  const t0 = Date.now();
  const dir = (await sh(['build'], 900_000)).trim().split('\n').pop() ?? '';
  return { dir, cached, ms: Date.now() - t0 };
}

export interface Vm {
  readonly work: string;
  readonly port: number;
  /** run a shell command in the VM as root; throws on nonzero exit */
  ssh(script: string): Promise<string>;
  reboot(): Promise<void>;
  stop(): Promise<void>;
}

/** `diskMb`: the size of each of the four stripe disks (default 256). */
export async function startVm(work: string, diskMb = 256): Promise<{ vm: Vm; bootMs: number }> {
  const port = await freePort();
  const t0 = Date.now();
  await sh(['start', work, String(port), String(diskMb)], 300_000);
  const bootMs = Date.now() - t0;
  const vm: Vm = {
    work,
    port,
    ssh: (script) => sh(['ssh', work, script], 300_000),
    reboot: async () => void (await sh(['reboot', work], 300_000)),
    stop: async () => void (await sh(['stop', work], 120_000)),
  };
  return { vm, bootMs };
}
