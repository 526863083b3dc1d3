import { and, cmd, sh, type Command } from '../../shell/command.js';
import { quote } from '../../shell/quote.js';
import { appendHistoryScript, type HistoryEntry } from './history.js';
import { unlockCommand } from './lock.js';
import { staleParts } from './upload.js';
import type { ReleasePaths } from './paths.js';

export interface FinishInput {
  readonly paths: ReleasePaths;
  readonly history?: HistoryEntry | undefined;
  /** releases to keep (never current or previous); undefined: no pruning */
  readonly keep?: number | undefined;
  /** release our lock */
  readonly unlock: boolean;
}

/**
 * Keep the newest `keep` releases plus current and previous; drop cache files no release uses,
 * leftover upload parts and lock temp dirs. Runs under our lock.
 */
function pruneScript(p: ReleasePaths, keep: number): string {
  const n = Math.max(1, Math.floor(keep));
  const q = quote;
  const target = (link: string) => `$(readlink ${q(link)} 2>/dev/null | sed 's|^releases/||')`;
  return [
    `cd ${q(p.releases)}`,
    `keepers=" ${target(p.current)} ${target(p.previous)} "`,
    `{ for d in *.partial; do if [ -d "$d" ]; then rm -rf "$d"; fi; done; }`,
    `{ ls -1t | awk -v n=${n} 'NR>n' | while read -r r; do case "$keepers" in *" $r "*) ;; *) rm -rf "./$r" ;; esac; done; }`,
    `{ for f in ${q(p.cacheDir)}/*.tar.gz; do [ -e "$f" ] || continue; s="$(basename "$f" .tar.gz)"; ` +
      `cat ./*/.ferry-sha256 2>/dev/null | grep -qx "$s" || rm -f "$f"; done; }`,
    // under our lock nobody else uploads or takes the lock: any part or lock.<run> left is a dead run's
    `{ ${staleParts(p)} 2>/dev/null || true; }`,
    `{ find ${q(p.state)} -maxdepth 1 -name 'lock.*' -mmin +10 -exec rm -rf {} + 2>/dev/null || true; }`,
  ].join(' && ');
}

/** Append the history line, prune, release the lock: the last round trip of a deploy/rollback/restart. */
export function finishCommand(i: FinishInput): Command {
  const p = i.paths;
  const steps: Command[] = [];
  if (i.history) steps.push(sh(appendHistoryScript(p, JSON.stringify(i.history))));
  if (i.keep !== undefined) steps.push(sh(pruneScript(p, i.keep)));
  if (i.unlock) steps.push(unlockCommand(p));
  return steps.length ? and(...steps) : cmd('true');
}
