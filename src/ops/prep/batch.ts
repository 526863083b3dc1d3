import { quote } from '../../shell/quote.js';
import { MAX_CONTENT } from './file-facts.js';

/**
 * Every path an apply's ops look at, in one pass with a handful of processes, not a few per
 * path (a no-op run probes dozens of paths on every host): one `stat` of them all, then one
 * `cat | base64` of every regular file up to MAX_CONTENT (split again by the sizes stat gave),
 * and `sha256sum` only for larger ones. The shell loop between them is builtins only.
 */
// %N last: the name, or for a link `name -> target` (literal quoting: the bytes as they are)
const STAT = "'%F|%a|%U|%G|%s|%N'";

/** `words`: more paths as shell words (set by early sections), after the quoted `paths`. */
export function pathBatchScript(paths: readonly string[], words: readonly string[] = []): string {
  const list = [...paths.map(quote), ...words].join(' ');
  const marker = (name: string) => `echo && echo ${quote(`@@ferry:paths.${name}@@`)}`;
  return [
    `${marker('stat')} && { ferry_ps=$(QUOTING_STYLE=literal stat -c ${STAT} -- ${list}); printf '%s\\n' "$ferry_ps"; } 2>/dev/null || true`,
    `${marker('large')} && { set -- && while IFS='|' read -r t m u g z n; do case "$t" in regular*) ` +
      `if [ "$z" -le ${MAX_CONTENT} ]; then set -- "$@" "$n"; else sha256sum -- "$n"; fi;; esac; done <<FERRY_PS`,
    '$ferry_ps',
    'FERRY_PS',
    `} 2>/dev/null || true && ${marker('content')} && { [ $# -eq 0 ] || cat -- "$@" | base64 -w0; } 2>/dev/null || true`,
  ].join('\n');
}

/** One path's facts: `text` in the shape its own section had (stat line, then `=`+base64 or a sha256). */
export interface PathFacts {
  readonly text: string;
  /** a symbolic link's target */
  readonly target?: string;
}

export type PathSections = ReadonlyMap<string, PathFacts>;

interface StatLine {
  readonly path: string;
  /** `%F|%a|%U|%G|%s`, as parseStat reads it */
  readonly line: string;
  readonly regular: boolean;
  readonly size: number;
  readonly target: string | undefined;
}

function statLines(text: string, paths: readonly string[]): StatLine[] {
  const out: StatLine[] = [];
  for (const l of text.split('\n')) {
    // the name is last and may hold '|': match it (or `name -> target`) against the paths asked for
    for (const path of paths) {
      const at = l.endsWith(`|${path}`) ? l.length - path.length - 1 : l.indexOf(`|${path} -> `);
      if (at < 0) continue;
      const line = l.slice(0, at);
      const fields = line.split('|');
      const type = fields[0] ?? '';
      const target = type === 'symbolic link' ? l.slice(at + path.length + 5) : undefined;
      out.push({ path, line, regular: type.startsWith('regular'), size: Number(fields[4]), target });
      break;
    }
  }
  return out;
}

/** `sha256sum` lines (a name with a backslash is escaped, the line then led by `\`). */
function largeHashes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const l of text.split('\n')) {
    const m = /^(\\?)([0-9a-f]{64}) {2}(.*)$/.exec(l);
    if (!m) continue;
    const name = m[1] ? (m[3] ?? '').replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\')) : m[3];
    out.set(name ?? '', m[2] ?? '');
  }
  return out;
}

/** The batch's three sections → per path, the text its own file section would have printed. */
export function parsePathBatch(sections: ReadonlyMap<string, string>, paths: readonly string[]): PathSections {
  const stats = statLines(sections.get('paths.stat') ?? '', paths);
  const large = largeHashes(sections.get('paths.large') ?? '');
  const bytes = Buffer.from((sections.get('paths.content') ?? '').trim(), 'base64');
  const small = stats.filter((s) => s.regular && s.size <= MAX_CONTENT);
  // a file that changed size between stat and cat: no content for any (they plan as "differs")
  const whole = small.reduce((n, s) => n + s.size, 0) === bytes.length;
  const out = new Map<string, PathFacts>();
  let at = 0;
  for (const s of stats) {
    let rest = '';
    if (s.regular && s.size <= MAX_CONTENT) {
      if (whole) rest = `\n=${bytes.subarray(at, at + s.size).toString('base64')}`;
      at += s.size;
    } else if (s.regular) rest = large.has(s.path) ? `\n${large.get(s.path)}` : '';
    out.set(s.path, { text: `${s.line}${rest}`, ...(s.target !== undefined ? { target: s.target } : {}) });
  }
  return out;
}
