import { hostname, userInfo } from 'node:os';
import type { LockOwner } from '../ops/release/lock-owner.js';

export const DEFAULT_LOCK_TTL_MS = 60 * 60 * 1000;

export function lockOwner(runId: string, command: string): LockOwner {
  return { user: userInfo().username, host: hostname(), pid: process.pid, started: new Date().toISOString(), command, runId };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A lock is stale when its owner ran on this control host and is gone, or it is older than the TTL. */
export function staleReason(owner: LockOwner | string | undefined, ttlMs = DEFAULT_LOCK_TTL_MS, now = Date.now()): string | undefined {
  if (owner === undefined || typeof owner === 'string') return 'its owner.json is missing or unreadable';
  if (owner.host === hostname() && !pidAlive(owner.pid)) return `pid ${owner.pid} on ${owner.host} is gone`;
  const age = now - Date.parse(owner.started);
  if (Number.isFinite(age) && age > ttlMs) return `it is ${Math.round(age / 60000)} min old (TTL ${Math.round(ttlMs / 60000)} min)`;
  return undefined;
}

export function describeOwner(owner: LockOwner | string | undefined): string {
  if (owner === undefined) return 'unknown owner';
  if (typeof owner === 'string') return owner;
  return `${owner.user}@${owner.host} pid ${owner.pid} since ${owner.started}: ${owner.command}`;
}
