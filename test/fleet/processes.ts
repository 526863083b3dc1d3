import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** True when `pid` exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return processState(pid) !== 'Z';
}

function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) S ..." — comm may contain spaces and parentheses: take the last ')'
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

/** `mnt:[4026532…]` for `pid`, or undefined when it is gone (or a zombie). */
export function mountNamespaceOf(pid: number | string): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/mnt`);
  } catch {
    return undefined;
  }
}

/** A host's namespace, with a marker proving it is still ours (see `ownsNamespace`). */
export interface HostNamespace {
  namespace: string;
  /** a string that appears in the mountinfo of every process in that namespace */
  marker: string;
}

/** Pids of every live process whose mount namespace is one of `namespaces` and really ours. */
export function processesIn(namespaces: readonly HostNamespace[]): number[] {
  const wanted = new Map(namespaces.map((n) => [n.namespace, n.marker]));
  const verified = new Map<string, boolean>();
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const ns = mountNamespaceOf(entry);
    if (ns === undefined) continue;
    const marker = wanted.get(ns);
    if (marker === undefined) continue;
    let ok = verified.get(ns);
    if (ok === undefined) {
      // namespace inodes are reused once a namespace dies: check the mounts are the host's
      ok = mountinfoHas(entry, marker);
      if (ok) verified.set(ns, ok);
    }
    if (ok) pids.push(Number(entry));
  }
  return pids;
}

function mountinfoHas(pid: string, marker: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/mountinfo`, 'utf8').includes(marker);
  } catch {
    return false;
  }
}

/** SIGKILL every process of the given namespaces plus `pids` (only if still in a listed namespace or unverifiable). */
export function killAllSync(namespaces: readonly HostNamespace[], pids: readonly number[]): number[] {
  const targets = new Set(processesIn(namespaces));
  const known = new Set(namespaces.map((n) => n.namespace));
  for (const pid of pids) {
    const ns = mountNamespaceOf(pid);
    // a listener pid counts only while it is still in one of our namespaces (pids get reused)
    if (ns !== undefined && known.has(ns)) targets.add(pid);
  }
  for (const pid of targets) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return [...targets];
}

/** Kill everything and wait (bounded) until every target is gone or a zombie. */
export async function killAll(
  namespaces: readonly HostNamespace[],
  pids: readonly number[],
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let remaining = killAllSync(namespaces, pids);
  while (remaining.length > 0) {
    remaining = remaining.filter(isAlive);
    // processes may have forked while we were killing: sweep the namespaces again
    if (remaining.length === 0) remaining = killAllSync(namespaces, []).filter(isAlive);
    if (remaining.length === 0) return;
    if (Date.now() > deadline) throw new Error(`processes still alive after SIGKILL: ${remaining.join(' ')}`);
    await sleep(10);
  }
}

/**
 * Follow what a process writes (sockets, files: `wchar` of /proc/<pid>/io), every 20 ms until
 * it exits. The returned function stops watching and gives the last count seen.
 */
export function watchWrites(pid: number | undefined): () => number {
  let wchar = 0;
  const poll = setInterval(() => {
    try {
      wchar = Number(/^wchar: (\d+)/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? wchar);
    } catch {
      // exited
    }
  }, 20);
  return () => {
    clearInterval(poll);
    return wchar;
  };
}
