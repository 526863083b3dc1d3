import { spawn } from 'node:child_process';
import { FailedError } from '../errors/failed-error.js';
import { tail } from '../errors/remote-error.js';
import type { ExecResult } from '../task/types.js';

/** Run a program on the control machine (argv, no shell); nonzero exit throws FailedError with the output tail. */
export function localExec(argv: readonly string[], options: { cwd?: string; allowFailure?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<ExecResult> {
  const [file, ...args] = argv;
  if (!file) return Promise.reject(new FailedError('local: empty command'));
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', (err) => reject(new FailedError(`local: cannot run ${file}: ${err.message}`)));
    child.on('close', (code) => {
      const res = { code: code ?? -1, stdout, stderr };
      if (code !== 0 && !options.allowFailure) {
        reject(new FailedError(`local: \`${argv.join(' ')}\` failed (exit ${code}): ${tail(stderr.trim() || stdout.trim(), 400)}`));
      } else resolve(res);
    });
  });
}
