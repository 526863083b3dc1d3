/**
 * Where a key of the object literal a `bundle.ts` passes to defineBundle is written: a small
 * scanner over the source text (strings, template literals and comments skipped, brackets
 * tracked), so a schema error names file:line:column without a TypeScript parser at run time.
 * A value it cannot follow (a variable, a call) stops the walk at the deepest key it found.
 */

interface Cursor {
  readonly text: string;
  i: number;
}

const IDENT = /[A-Za-z0-9_$]/;

/** Skip whitespace and comments. */
function skipSpace(c: Cursor): void {
  const t = c.text;
  while (c.i < t.length) {
    if (/\s/.test(t[c.i] ?? '')) c.i++;
    else if (t.startsWith('//', c.i)) c.i = t.indexOf('\n', c.i) < 0 ? t.length : t.indexOf('\n', c.i);
    else if (t.startsWith('/*', c.i)) c.i = t.indexOf('*/', c.i) < 0 ? t.length : t.indexOf('*/', c.i) + 2;
    else return;
  }
}

/** Skip a quoted string or template literal starting at c.i (template `${}` parts skipped as code). */
function skipString(c: Cursor): void {
  const q = c.text[c.i];
  c.i++;
  while (c.i < c.text.length && c.text[c.i] !== q) {
    if (c.text[c.i] === '\\') c.i++;
    else if (q === '`' && c.text.startsWith('${', c.i)) {
      c.i += 2;
      skipUntil(c, '}');
    }
    c.i++;
  }
  c.i++;
}

/** Skip code up to (not past) one of `stops` at bracket depth 0. */
function skipUntil(c: Cursor, stops: string): void {
  let depth = 0;
  while (c.i < c.text.length) {
    skipSpace(c);
    const ch = c.text[c.i] ?? '';
    if (depth === 0 && stops.includes(ch)) return;
    if (ch === '"' || ch === "'" || ch === '`') {
      skipString(c);
      continue;
    }
    if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    c.i++;
  }
}

/** A key at c.i (identifier or quoted): its text, or undefined for anything else (a spread, a computed key). */
function readKey(c: Cursor): string | undefined {
  const t = c.text;
  const ch = t[c.i] ?? '';
  if (ch === '"' || ch === "'") {
    const start = c.i;
    skipString(c);
    return t.slice(start + 1, c.i - 1);
  }
  const start = c.i;
  while (c.i < t.length && IDENT.test(t[c.i] ?? '')) c.i++;
  return c.i > start ? t.slice(start, c.i) : undefined;
}

/**
 * Follow `path` into the literal at c.i; returns the offset of the deepest key (or array
 * element) on the path that is written in the source.
 */
function walk(c: Cursor, path: readonly PropertyKey[], best: number): number {
  skipSpace(c);
  const [head, ...rest] = path;
  if (head === undefined) return best;
  const open = c.text[c.i];
  if (open === '{' && typeof head === 'string') {
    c.i++;
    for (;;) {
      skipSpace(c);
      if (c.text[c.i] === '}' || c.i >= c.text.length) return best;
      const at = c.i;
      const key = readKey(c);
      skipSpace(c);
      if (key !== undefined && c.text[c.i] === ':') {
        c.i++;
        if (key === head) return walk(c, rest, at);
      }
      skipUntil(c, ',}');
      if (c.text[c.i] === ',') c.i++;
    }
  }
  if (open === '[' && typeof head === 'number') {
    c.i++;
    for (let n = 0; ; n++) {
      skipSpace(c);
      if (c.text[c.i] === ']' || c.i >= c.text.length) return best;
      if (n === head) return walk(c, rest, c.i);
      skipUntil(c, ',]');
      if (c.text[c.i] === ',') c.i++;
    }
  }
  return best;
}

/** 1-based line and column of `offset` in `text`. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/**
 * The line and column of `path` (e.g. ['configs', 0, 'validate']) in the object passed to
 * `defineBundle(` (or exported as default); undefined when the source has neither.
 */
export function locateInBundleSource(
  text: string,
  path: readonly PropertyKey[],
): { line: number; column: number } | undefined {
  const call = /\bdefineBundle\s*\(/.exec(text) ?? /\bexport\s+default\s+/.exec(text);
  if (!call) return undefined;
  const c: Cursor = { text, i: call.index + call[0].length };
  skipSpace(c);
  if (c.text[c.i] !== '{') return undefined;
  return lineColumn(text, walk(c, path, c.i));
}
