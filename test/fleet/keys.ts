import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/** Generate an ed25519 key pair with ssh-keygen (`path`, `path.pub`). */
export async function generateKey(path: string, comment: string): Promise<void> {
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path]);
}

/** Generate many keys with one shell per core-ish batch (spawning from Node is the slow part). */
export async function generateKeys(
  keys: ReadonlyArray<{ path: string; comment: string }>,
  parallel = 2,
): Promise<void> {
  const batches: Array<Array<{ path: string; comment: string }>> = Array.from({ length: parallel }, () => []);
  for (const [i, key] of keys.entries()) batches[i % parallel]?.push(key);
  await Promise.all(
    batches
      .filter((batch) => batch.length > 0)
      .map((batch) => {
        // arguments are passed positionally: no quoting of paths into the script
        const args = batch.flatMap((key) => [key.path, key.comment]);
        const script = 'while [ $# -gt 0 ]; do ssh-keygen -q -t ed25519 -N "" -C "$2" -f "$1" || exit 1; shift 2; done';
        return run('sh', ['-c', script, 'keygen', ...args]);
      }),
  );
}

/** `ssh-ed25519 AAAA…` (type and base64 blob, no comment) of a .pub file. */
export async function publicKeyOf(pubFile: string): Promise<string> {
  const [type, blob] = (await readFile(pubFile, 'utf8')).trim().split(/\s+/);
  if (type === undefined || blob === undefined) throw new Error(`not a public key: ${pubFile}`);
  return `${type} ${blob}`;
}

export function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr.trim()}`));
    });
  });
}
