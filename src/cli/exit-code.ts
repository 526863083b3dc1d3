import { FerryError, type ErrorKind } from '../errors/ferry-error.js';

/** The only place error kinds become process exit codes. */
const EXIT_CODES: Record<ErrorKind, number> = {
  remote: 1,
  failed: 1,
  usage: 2,
  project: 2,
  connection: 3,
  'host-key': 3,
  lock: 4,
  interrupted: 130,
};

export function exitCodeFor(err: unknown): number {
  if (err instanceof FerryError) return EXIT_CODES[err.kind];
  const code = (err as { code?: string }).code;
  if (typeof code === 'string' && code.startsWith('commander.')) return 2;
  return 1;
}

/** A run's exit code from its hosts' error kinds: interrupted 130 > usage 2 > lock 4 > connection 3 > failed 1. */
export function exitCodeForKinds(kinds: readonly string[]): number {
  if (kinds.length === 0) return 0;
  const codes = kinds.map((k) => EXIT_CODES[k as ErrorKind] ?? 1);
  for (const c of [130, 2, 4, 3, 1]) if (codes.includes(c)) return c;
  return 1;
}
