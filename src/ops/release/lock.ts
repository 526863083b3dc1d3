import { hostname, userInfo } from 'node:os';
import { sh, type Command } from '../../shell/command.js';
import { quote } from '../../shell/quote.js';
import type { ReleasePaths } from './paths.js';

/**
 * The deploy lock of one app on a host: the directory .ferry/lock (mkdir is atomic) holding
 * owner.json. Acquire, status and the owner line are script fragments that the probe and the
 * listing run in their one round trip; release is its own command. The stale check asks this
 * control host (hostname, pid alive), injectable for tests.
 */

/** Who holds a deploy lock: written to .ferry/lock/owner.json. */
export interface LockOwner {
  readonly user: string;
  readonly host: string;
  readonly pid: number;
  readonly started: string;
  readonly command: string;
  readonly runId: string;
}

/** What a host said about a lock: its owner.json, or the raw text when it does not parse. */
export type OwnerSeen = LockOwner | string | undefined;

export const DEFAULT_LOCK_TTL_MS = 60 * 60 * 1000;

/** This process as a lock owner. */
export function lockOwner(runId: string, command: string): LockOwner {
  const started = new Date().toISOString();
  return { user: userInfo().username, host: hostname(), pid: process.pid, started, command, runId };
}

/** `<key>=<owner.json on one line>` (empty when it is missing). */
export function printOwnerScript(p: ReleasePaths, key: 'owner' | 'lock'): string {
  return `printf '${key}=%s\\n' "$(tr -d '\\n' < ${quote(p.owner)} 2>/dev/null)"`;
}

/**
 * What the probe prints when the SSH user may not write what it must (mkdir's own message in
 * `$e`): `lock=denied`, `who=<user>`, `denied=<message>`; then it stops.
 */
export function deniedScript(): string {
  return `printf 'lock=denied\\nwho=%s\\ndenied=%s\\n' "$(id -un)" "$(printf '%s' "$e" | tr '\\n' ' ')" && exit 0`;
}

/** Where `owner` prepares its lock (owner.json written) before renaming it into place. */
export function lockTempPath(p: ReleasePaths, owner: LockOwner): string {
  return `${p.lock}.${owner.runId.replace(/[^A-Za-z0-9-]/g, '') || 'run'}`;
}

/**
 * Take the lock as `owner`: `lock=acquired`, or `lock=held` and `owner=…`, or `lock=denied`.
 * owner.json is written into lock.<runId> first and that dir renamed to lock (rename(2) onto a
 * non-empty dir fails): a lock never exists without its owner, so a racing deploy always sees who
 * won. A lock dir without owner.json (being removed, or left by an older ferry) is looked at again
 * for up to a second before it is reported as held by an unknown owner. `beforeTaking` runs once
 * the user proved it may write there, before the lock is taken (it may stop the script).
 */
export function acquireLockScript(p: ReleasePaths, owner: LockOwner, beforeTaking?: string): string {
  const q = quote;
  const tmp = q(lockTempPath(p, owner));
  const lock = q(p.lock);
  const write = `mkdir ${tmp} 2>&1 && printf '%s\\n' ${q(JSON.stringify(owner))} 2>&1 > ${tmp}/owner.json`;
  return [
    `{ rm -rf ${tmp} 2>/dev/null || true; }`,
    `{ if ! e="$(${write})"; then ${deniedScript()}; fi; }`,
    ...(beforeTaking ? [`{ ${beforeTaking}; }`] : []),
    'n=0',
    `{ until mv -T ${tmp} ${lock} 2>/dev/null; do ` +
      `o="$(tr -d '\\n' < ${q(p.owner)} 2>/dev/null || true)" && if [ -n "$o" ] || [ $n -ge 20 ]; then break; fi && ` +
      `n=$((n+1)) && if [ -d ${lock} ]; then sleep 0.05; fi; done; }`,
    `if [ -d ${tmp} ]; then rm -rf ${tmp} && echo lock=held && printf 'owner=%s\\n' "$o"; else echo lock=acquired; fi`,
  ].join(' && ');
}

/** Read-only: `lock=held` and `owner=…`, or `lock=free`. */
export function lockStatusScript(p: ReleasePaths): string {
  return `if [ -d ${quote(p.lock)} ]; then echo lock=held && ${printOwnerScript(p, 'owner')}; else echo lock=free; fi`;
}

/**
 * Release the lock (ours at the end of a run, or a stale one with `ferry unlock`): renamed away
 * first, so nobody sees a lock whose owner.json is half removed.
 */
export function unlockCommand(p: ReleasePaths): Command {
  const lock = quote(p.lock);
  const gone = `${lock}.released-$$`;
  return sh(`if mv -T ${lock} ${gone} 2>/dev/null; then rm -rf ${gone}; else rm -rf ${lock}; fi`);
}

export function parseOwner(text: string | undefined): OwnerSeen {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as LockOwner;
  } catch {
    return text;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The control host a lock is judged from: its name and whether a pid of it still runs. */
export interface ControlHost {
  readonly name: string;
  alive(pid: number): boolean;
}

const thisHost: ControlHost = { name: hostname(), alive: pidAlive };

/** A lock is stale when its owner ran on this control host and is gone, or it is older than the TTL. */
export function staleReason(
  owner: OwnerSeen,
  ttlMs = DEFAULT_LOCK_TTL_MS,
  now = Date.now(),
  here = thisHost,
): string | undefined {
  if (owner === undefined || typeof owner === 'string') return 'its owner.json is missing or unreadable';
  if (owner.host === here.name && !here.alive(owner.pid)) return `pid ${owner.pid} on ${owner.host} is gone`;
  const age = now - Date.parse(owner.started);
  const min = (ms: number) => Math.round(ms / 60000);
  if (Number.isFinite(age) && age > ttlMs) return `it is ${min(age)} min old (TTL ${min(ttlMs)} min)`;
  return undefined;
}

/** `user@host pid N since T: command` (the command left out where space is short). */
export function describeOwner(owner: OwnerSeen, withCommand = true): string {
  if (owner === undefined) return 'unknown owner';
  if (typeof owner === 'string') return owner;
  const who = `${owner.user}@${owner.host} pid ${owner.pid} since ${owner.started}`;
  return withCommand ? `${who}: ${owner.command}` : who;
}

/** Why a run stops at a held lock: the owner, and when the lock is stale how to clear it. */
export function heldLockMessage(p: ReleasePaths, owner: OwnerSeen, ttlMs: number, unlockHint: string): string {
  const stale = staleReason(owner, ttlMs);
  const held = `${p.lock} is held by ${describeOwner(owner)}`;
  return stale ? `${held} — STALE (${stale}); inspect, then remove it with \`${unlockHint}\`` : held;
}
