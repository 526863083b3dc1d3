import { readFileSync } from 'node:fs';
import { UsageError } from '../errors/usage-error.js';

/** A session holds its SSH socket and its log file; a jump host adds a socket. */
export const FDS_PER_SESSION = 2;
/** What the process holds besides sessions: stdio, the bundle being read, listr, DNS, the module cache. */
const RESERVE = 64;

/** The soft `Max open files` of this process (Node raised it to the hard limit at start), from /proc. */
export function openFilesLimit(text?: string): { soft: number; hard: number } | undefined {
  let limits = text;
  try {
    limits ??= readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return undefined; // not Linux: no check (the OS reports EMFILE itself)
  }
  const m = /^Max open files\s+(\S+)\s+(\S+)/m.exec(limits);
  if (!m) return undefined;
  const n = (v: string | undefined) => (v === 'unlimited' ? Number.POSITIVE_INFINITY : Number(v));
  return { soft: n(m[1]), hard: n(m[2]) };
}

let checked = 0;

/**
 * Before opening `sessions` at once (`-j`, or every host of a deploy, whose sessions stay open
 * across its phases): will they fit in RLIMIT_NOFILE? Node already raised its soft limit to the
 * hard one, which only root can raise further — so past it, a UsageError saying what to do,
 * instead of EMFILE on host 900 of 1,000.
 */
export function checkFdLimit(sessions: number, kind: 'parallel' | 'hosts', limits = openFilesLimit()): void {
  if (sessions <= checked || !limits) return;
  const need = sessions * FDS_PER_SESSION + RESERVE;
  if (need <= limits.soft) {
    checked = sessions;
    return;
  }
  const fits = Math.max(1, Math.floor((limits.soft - RESERVE) / FDS_PER_SESSION));
  const what =
    kind === 'parallel'
      ? `-j ${sessions}`
      : `${sessions} hosts (a deploy, rollback or restart keeps one session per host across its phases)`;
  const instead = kind === 'parallel' ? `lower -j to ${fits}` : `--shard the hosts (≤ ${fits} per run)`;
  throw new UsageError(
    `${what} needs about ${need} open files (${FDS_PER_SESSION} per SSH session + ${RESERVE}) but this process ` +
      `may open ${limits.soft} (ulimit -n; hard limit ${limits.hard}): ${instead}, or raise the limit ` +
      '(ulimit -Hn as root, LimitNOFILE= in a systemd unit, nofile in /etc/security/limits.conf)',
  );
}
