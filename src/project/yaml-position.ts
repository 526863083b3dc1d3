import { isMap, isNode, isPair, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { SourcePosition } from '../errors/project-error.js';

export interface LocatedYaml {
  readonly file: string;
  readonly doc: Document;
  readonly lines: LineCounter;
}

export function parseLocatedYaml(file: string, text: string): LocatedYaml {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  return { file, doc, lines };
}

function at(y: LocatedYaml, offset: number): SourcePosition {
  const { line, col } = y.lines.linePos(offset);
  return { file: y.file, line, column: col };
}

/** Where the value at `path` is written (or, for `key`, where that key of the map at `path` is). */
export function positionOf(y: LocatedYaml, path: readonly PropertyKey[], key?: string): SourcePosition {
  // walk down as far as the document goes: a missing key points at its parent
  let node: unknown = y.doc.contents;
  let found = node;
  for (const part of path) {
    if (!isMap(node) && !(isNode(node) && 'items' in node)) break;
    const next = (node as { get(k: unknown, keepScalar: boolean): unknown }).get(part, true);
    if (next === undefined) break;
    node = next;
    found = next;
  }
  if (key !== undefined && isMap(found)) {
    const pair = found.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
    if (pair && isScalar(pair.key) && pair.key.range) return at(y, pair.key.range[0]);
  }
  if (isNode(found) && found.range) return at(y, found.range[0]);
  return { file: y.file, line: 1, column: 1 };
}

/** The first YAML syntax error, positioned. */
export function syntaxError(y: LocatedYaml): { position: SourcePosition; message: string } | undefined {
  const err = y.doc.errors[0];
  if (!err) return undefined;
  // linePos is only filled with prettyErrors; the offset always is
  return { position: at(y, err.pos[0]), message: err.message.split('\n')[0] ?? err.message };
}
