import { quote } from '../../shell/quote.js';
import type { Command } from '../../shell/command.js';
import type { ReleasePaths } from './paths.js';

/** Read-only: current, previous, every complete release with its mtime, the lock owner and the last history lines. */
export function listReleasesCommand(p: ReleasePaths, historyLines = 50): Command {
  return {
    script: [
      `printf 'current=%s\\n' "$(readlink ${quote(p.current)} 2>/dev/null)"`,
      `printf 'previous=%s\\n' "$(readlink ${quote(p.previous)} 2>/dev/null)"`,
      `if [ -d ${quote(p.lock)} ]; then printf 'lock=%s\\n' "$(tr -d '\\n' < ${quote(p.owner)} 2>/dev/null)"; fi`,
      `if [ -d ${quote(p.releases)} ]; then cd ${quote(p.releases)} && for d in *; do case "$d" in *.partial) printf 'partial=%s\\n' "$d" ;; *) [ -d "$d" ] && printf 'release=%s %s\\n' "$(stat -c %Y "$d")" "$d" ;; esac; done; fi`,
      `if [ -f ${quote(p.history)} ]; then tail -n ${historyLines} ${quote(p.history)} | sed 's/^/history=/'; fi`,
      'true',
    ].join('\n'),
  };
}
