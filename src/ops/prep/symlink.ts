import { and, cmd } from '../../shell/command.js';
import { parentDir } from '../files.js';
import { step } from '../step.js';
import { parseStat, statSection, type PathStat } from './file-facts.js';
import { handlers, type Handler, type OpPlan, type PrepOp } from './op.js';
import { absolutePath, bad } from './validate.js';

export interface SymlinkOptions {
  /** the link */
  readonly path: string;
  /** what it points to (absolute or relative to the link's folder) */
  readonly target: string;
  readonly onChange?: Handler | readonly Handler[];
}

export interface SymlinkFacts {
  readonly stat: PathStat | undefined;
  /** readlink of the path when it is a link */
  readonly target: string | undefined;
}

/** Create or repoint a link; never replaces a file or directory that is not a link. */
export function planSymlink(path: string, target: string, f: SymlinkFacts, op = `symlink ${path}`): OpPlan {
  if (f.stat && f.stat.type !== 'symbolic link')
    return {
      steps: [],
      unchanged: [],
      refusals: [
        { subject: path, reason: `is a ${f.stat.type}, not a symlink: ${op} will not replace it`, forceable: false },
      ],
    };
  if (f.target === target) return { steps: [], unchanged: [`${path} → ${target}`], refusals: [] };
  // -n: a link to a directory is replaced, not followed
  const link = and(cmd('mkdir', '-p', parentDir(path)), cmd('ln', '-sfn', '--', target, path));
  const title = f.stat ? `repoint ${path} → ${target} (was → ${f.target ?? '?'})` : `link ${path} → ${target}`;
  return { steps: [step(`${op}: link`, title, link)], unchanged: [], refusals: [] };
}

export function symlink(o: SymlinkOptions): PrepOp<SymlinkFacts> {
  const path = absolutePath('symlink', o.path);
  if (typeof o.target !== 'string' || o.target === '' || o.target.includes('\0'))
    bad('symlink', `${path}: target must be a non-empty path`);
  const id = `symlink ${path}`;
  return {
    kind: 'prep-op',
    id,
    subject: path,
    probes: [statSection('stat', path), { name: 'readlink', path, link: true }],
    parse: (s) => {
      const t = s('readlink');
      return { stat: parseStat(s('stat')), target: t };
    },
    plan: (f) => planSymlink(path, o.target, f, id),
    onChange: handlers(o.onChange),
  };
}
