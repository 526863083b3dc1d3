/** Lines of a text, each keeping whether it ended with a newline (a missing one is shown as in diff(1)). */
function lines(text: string): string[] {
  if (text === '') return [];
  const parts = text.split('\n');
  const last = parts.pop() ?? '';
  const out = parts.map((l) => `${l}\n`);
  if (last !== '') out.push(last);
  return out;
}

const MAX_LINES = 4000;
const CONTEXT = 3;

/** Looks like text: no NUL and valid UTF-8 (decoded text without replacement characters). */
export function isText(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function show(prefix: string, line: string): string {
  return line.endsWith('\n') ? `${prefix}${line}` : `${prefix}${line}\n\\ No newline at end of file\n`;
}

/**
 * A unified diff (`--- path` / `+++ path`, hunks with 3 lines of context) from `before` to
 * `after`; undefined `before` is an absent file. '' when equal. Binary or huge: one summary line.
 */
export function unifiedDiff(path: string, before: Uint8Array | undefined, after: Uint8Array): string {
  const b = before ?? new Uint8Array();
  if (Buffer.from(b).equals(Buffer.from(after))) return '';
  const head = `--- ${before === undefined ? '/dev/null' : `${path} (host)`}\n+++ ${path} (wanted)\n`;
  if (!isText(b) || !isText(after)) return `${head}binary content differs (${b.length} → ${after.length} bytes)\n`;
  const a = lines(Buffer.from(b).toString('utf8'));
  const z = lines(Buffer.from(after).toString('utf8'));
  if (a.length * z.length > MAX_LINES * MAX_LINES)
    return `${head}content differs (${a.length} → ${z.length} lines, too long to diff)\n`;
  // LCS table from the end: lcs(i, j) = length of the common subsequence of a[i..] and z[j..]
  const w = z.length + 1;
  const table = new Uint32Array((a.length + 1) * w);
  const lcs = (i: number, j: number): number => table[i * w + j] ?? 0;
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = z.length - 1; j >= 0; j--)
      table[i * w + j] = a[i] === z[j] ? lcs(i + 1, j + 1) + 1 : Math.max(lcs(i + 1, j), lcs(i, j + 1));
  /** one diff line; ai/zi: lines of a/z consumed after it (its 1-based number, for a kept or own line) */
  type Op = { t: ' ' | '-' | '+'; line: string; ai: number; zi: number };
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < z.length) {
    const left = a[i];
    const right = z[j];
    if (left !== undefined && left === right) ops.push({ t: ' ', line: left, ai: ++i, zi: ++j });
    // deletions before insertions, as diff(1) prints them
    else if (left !== undefined && (right === undefined || lcs(i + 1, j) >= lcs(i, j + 1)))
      ops.push({ t: '-', line: left, ai: ++i, zi: j });
    else ops.push({ t: '+', line: right ?? '', ai: i, zi: ++j });
  }
  let out = head;
  let k = 0;
  while (k < ops.length) {
    if (ops[k]?.t === ' ') {
      k++;
      continue;
    }
    const start = Math.max(0, k - CONTEXT);
    let end = k;
    // extend the hunk while the next change is within 2×context lines
    for (let m = k; m < ops.length; m++)
      if (ops[m]?.t !== ' ') end = m;
      else if (m - end > 2 * CONTEXT) break;
    const stop = Math.min(ops.length, end + CONTEXT + 1);
    const hunk = ops.slice(start, stop);
    const olds = hunk.filter((o) => o.t !== '+');
    const news = hunk.filter((o) => o.t !== '-');
    // an empty side starts at the line before (what was consumed), as diff(1) numbers it
    const aStart = olds[0]?.ai ?? hunk[0]?.ai ?? 0;
    const zStart = news[0]?.zi ?? hunk[0]?.zi ?? 0;
    const range = (from: number, n: number) => (n === 1 ? `${from}` : `${from},${n}`);
    out += `@@ -${range(aStart, olds.length)} +${range(zStart, news.length)} @@\n`;
    for (const o of hunk) out += show(o.t, o.line);
    k = stop;
  }
  return out;
}
