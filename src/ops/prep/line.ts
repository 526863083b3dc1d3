import { step } from '../step.js';
import { unifiedDiff } from './diff.js';
import { fileSections, parseFileFacts, type FileFacts } from './file-facts.js';
import { handlers, type Handler, type OpPlan, type PrepOp } from './op.js';
import { absolutePath, bad } from './validate.js';
import { atomicWrite } from './write.js';

export interface LineOptions {
  readonly path: string;
  /** the whole line wanted (no newline) */
  readonly line: string;
  /** which existing lines are "this line": a regexp, or a prefix (`vm.swappiness`); default: the line itself */
  readonly match?: RegExp | string;
  /** create the file when missing (mode 644); default false: a missing file is refused */
  readonly create?: boolean;
  readonly onChange?: Handler | readonly Handler[];
}

/**
 * The file's new text: the first matching line replaced, later matches dropped (one managed
 * line), or the line appended when none matches. undefined: already so.
 */
export function editLine(text: string, line: string, matches: (l: string) => boolean): string | undefined {
  const lines = text === '' ? [] : text.split('\n');
  const trailing = lines.length > 0 && lines[lines.length - 1] === '';
  if (trailing) lines.pop();
  const hits = lines.flatMap((l, i) => (matches(l) ? [i] : []));
  if (hits.length === 1 && lines[hits[0] ?? -1] === line) return undefined;
  let out: string[];
  if (hits.length === 0) out = [...lines, line];
  else out = lines.flatMap((l, i) => (i === hits[0] ? [line] : hits.includes(i) ? [] : [l]));
  return `${out.join('\n')}\n`;
}

export function planLine(o: LineOptions, f: FileFacts, op = `line ${o.path}`): OpPlan {
  const matcher = o.match ?? o.line;
  const matches = typeof matcher === 'string' ? (l: string) => l.startsWith(matcher) : (l: string) => matcher.test(l);
  if (f.stat && !f.stat.type.startsWith('regular'))
    return {
      steps: [],
      unchanged: [],
      refusals: [{ subject: o.path, reason: `is a ${f.stat.type}, not a file`, forceable: false }],
    };
  if (!f.stat && !o.create)
    return {
      steps: [],
      unchanged: [],
      refusals: [
        { subject: o.path, reason: `does not exist (${op} edits a file; pass create: true)`, forceable: false },
      ],
    };
  if (f.stat && f.content === undefined)
    return {
      steps: [],
      unchanged: [],
      refusals: [{ subject: o.path, reason: 'too large to edit a line in', forceable: false }],
    };
  const before = f.content ?? new Uint8Array();
  const next = editLine(Buffer.from(before).toString('utf8'), o.line, matches);
  if (next === undefined) return { steps: [], unchanged: [`${o.path}: ${o.line}`], refusals: [] };
  const bytes = new TextEncoder().encode(next);
  // the rest of the file keeps its mode and owner
  const write = atomicWrite(o.path, f.stat?.mode ?? '644', f.stat?.owner, f.stat?.group);
  return {
    steps: [step(`${op}: write`, `set line in ${o.path}: ${o.line}`, write, { stdin: bytes })],
    unchanged: [],
    refusals: [],
    diff: unifiedDiff(o.path, f.stat ? before : undefined, bytes),
  };
}

/** One managed line in a file (the fstab lesson): replaced where it is, appended only when absent. */
export function line(o: LineOptions): PrepOp<FileFacts> {
  const path = absolutePath('line', o.path);
  if (typeof o.line !== 'string' || o.line.includes('\n')) bad('line', `${path}: line must be one line of text`);
  if (o.match === '') bad('line', `${path}: an empty match would match every line`);
  const opts = { ...o, path };
  const id = `line ${path}`;
  return {
    kind: 'prep-op',
    id,
    // one op per file: two would each rewrite it from the same probe
    subject: path,
    probes: fileSections(path),
    parse: parseFileFacts,
    plan: (f) => planLine(opts, f, id),
    onChange: handlers(o.onChange),
  };
}
