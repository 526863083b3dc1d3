import { resolve } from 'node:path';

/** The --project value, read before commander runs (tasks must be known to build the command list). */
export function projectDirFromArgv(argv: readonly string[]): string {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--') break;
    if (a === '--project') return resolve(argv[i + 1] ?? '.');
    if (a.startsWith('--project=')) return resolve(a.slice('--project='.length));
  }
  return process.cwd();
}
