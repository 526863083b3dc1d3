import { and, cmd } from '../../shell/command.js';
import { step, type Step } from '../step.js';
import { parseStat, statSection, type PathStat } from './file-facts.js';
import type { OpPlan, PrepOp } from './op.js';
import { absolutePath, accountName, octalMode, sameMode } from './validate.js';
import { chownSpec } from './write.js';

export interface DirectoryOptions {
  readonly path: string;
  readonly mode?: number | string;
  readonly owner?: string;
  readonly group?: string;
}

export interface DirectoryWant {
  readonly path: string;
  readonly mode: string | undefined;
  readonly owner: string | undefined;
  readonly group: string | undefined;
}

/** mkdir (with parents) when missing, then chmod/chown only what differs; never replaces a non-directory. */
export function planDirectory(w: DirectoryWant, stat: PathStat | undefined, op = `directory ${w.path}`): OpPlan {
  const steps: Step[] = [];
  const who = (s: PathStat | undefined) =>
    chownSpec(
      w.owner !== undefined && w.owner !== s?.owner ? w.owner : undefined,
      w.group !== undefined && w.group !== s?.group ? w.group : undefined,
    );
  if (stat && stat.type !== 'directory')
    return {
      steps,
      unchanged: [],
      refusals: [
        { subject: w.path, reason: `is a ${stat.type}, not a directory: ${op} will not replace it`, forceable: false },
      ],
    };
  if (!stat) {
    const owner = who(undefined);
    const parts = [
      cmd('mkdir', '-p', '--', w.path),
      ...(w.mode ? [cmd('chmod', w.mode, '--', w.path)] : []),
      ...(owner ? [cmd('chown', owner, '--', w.path)] : []),
    ];
    steps.push(step(`${op}: create`, `create directory ${w.path}${w.mode ? ` (mode ${w.mode})` : ''}`, and(...parts)));
    return { steps, unchanged: [], refusals: [] };
  }
  if (w.mode !== undefined && !sameMode(w.mode, stat.mode))
    steps.push(step(`${op}: mode`, `chmod ${w.mode} ${w.path}`, cmd('chmod', w.mode, '--', w.path)));
  const owner = who(stat);
  if (owner) steps.push(step(`${op}: owner`, `chown ${owner} ${w.path}`, cmd('chown', owner, '--', w.path)));
  return { steps, unchanged: steps.length ? [] : [`directory ${w.path}`], refusals: [] };
}

export function directory(o: DirectoryOptions): PrepOp<PathStat | undefined> {
  const w: DirectoryWant = {
    path: absolutePath('directory', o.path),
    mode: octalMode('directory', o.mode),
    owner: o.owner === undefined ? undefined : accountName('directory', o.owner, 'owner'),
    group: o.group === undefined ? undefined : accountName('directory', o.group, 'group'),
  };
  const id = `directory ${w.path}`;
  return {
    kind: 'prep-op',
    id,
    subject: w.path,
    probes: [statSection('stat', w.path)],
    parse: (s) => parseStat(s('stat')),
    plan: (stat) => planDirectory(w, stat, id),
    onChange: [],
  };
}
