import { UsageError } from '../../errors/usage-error.js';

/** A mistake in an op's arguments: thrown when the op is built, before any host is touched. */
export function bad(op: string, message: string): never {
  throw new UsageError(`prep.${op}: ${message}`);
}

export function absolutePath(op: string, path: string, what = 'path'): string {
  if (typeof path !== 'string' || !path.startsWith('/') || path.split('/').includes('..') || path.includes('\0'))
    bad(op, `${what} ${JSON.stringify(path)} must be an absolute path without '..'`);
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

/** `0o644`, `'644'` or `'0644'` → `'644'` (octal text); anything else is a usage error. */
export function octalMode(op: string, mode: number | string | undefined): string | undefined {
  if (mode === undefined) return undefined;
  if (typeof mode === 'number') {
    if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) bad(op, `mode ${mode} is not a file mode (0o0..0o7777)`);
    return mode.toString(8);
  }
  if (!/^[0-7]{3,4}$/.test(mode)) bad(op, `mode ${JSON.stringify(mode)} is not octal (e.g. 0o644 or '644')`);
  return Number.parseInt(mode, 8).toString(8);
}

const NAME = /^[a-z_][a-z0-9_-]{0,31}$/;

/** A POSIX user or group name as useradd accepts it by default (Debian's NAME_REGEX). */
export function accountName(op: string, name: string, what = 'name'): string {
  if (typeof name !== 'string' || !NAME.test(name))
    bad(op, `${what} ${JSON.stringify(name)} is not a valid user/group name ([a-z_][a-z0-9_-]*, ≤ 32)`);
  return name;
}

export function sameMode(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined || Number.parseInt(a, 8) === Number.parseInt(b, 8);
}
