import { createHash } from 'node:crypto';
import { cmd } from '../../shell/command.js';
import { step, type Step } from '../step.js';
import type { Refusal } from '../storage/refusal.js';
import { unifiedDiff } from './diff.js';
import { fileSections, parseFileFacts, type FileFacts } from './file-facts.js';
import { handlers, type Handler, type OpPlan, type PrepOp } from './op.js';
import { absolutePath, accountName, bad, octalMode, sameMode } from './validate.js';
import { atomicWrite, chownSpec } from './write.js';

export interface FileOptions {
  readonly path: string;
  /** the exact bytes wanted (a string is UTF-8) */
  readonly content?: string | Uint8Array;
  /** `absent` removes a regular file (never a directory) */
  readonly state?: 'present' | 'absent';
  /** 0o644 or '644'; default: kept for an existing file, 644 for a new one */
  readonly mode?: number | string;
  readonly owner?: string;
  readonly group?: string;
  /** handlers to run (once) when this file changed */
  readonly onChange?: Handler | readonly Handler[];
  /** never show or log a diff of it (secrets) */
  readonly sensitive?: boolean;
}

export interface FileWant {
  readonly path: string;
  readonly content: Uint8Array | undefined;
  readonly mode: string | undefined;
  readonly owner: string | undefined;
  readonly group: string | undefined;
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

export function bytesOf(content: string | Uint8Array): Uint8Array {
  return typeof content === 'string' ? new TextEncoder().encode(content) : content;
}

/** The steps that make `path` hold `w.content` with its mode and owner; only what differs. */
export function planFile(w: FileWant, f: FileFacts, op = `file ${w.path}`): OpPlan {
  const refusals: Refusal[] = [];
  const steps: Step[] = [];
  const unchanged: string[] = [];
  if (f.stat && !f.stat.type.startsWith('regular')) {
    refusals.push({
      subject: w.path,
      reason: `is a ${f.stat.type}, not a regular file: ${op} will not replace it`,
      forceable: false,
    });
    return { steps, unchanged, refusals };
  }
  if (w.content === undefined) {
    if (f.stat) steps.push(step(`${op}: remove`, `remove ${w.path}`, cmd('rm', '-f', '--', w.path)));
    else unchanged.push(`${w.path} absent`);
    return { steps, unchanged, refusals };
  }
  const same = f.sha256 !== undefined && f.sha256 === sha256(w.content);
  if (!same) {
    const mode = w.mode ?? f.stat?.mode ?? '644';
    const owner = w.owner ?? (f.stat ? f.stat.owner : undefined);
    const group = w.group ?? (f.stat ? f.stat.group : undefined);
    const title = `${f.stat ? 'update' : 'create'} ${w.path} (${w.content.length} bytes, mode ${mode})`;
    steps.push(step(`${op}: write`, title, atomicWrite(w.path, mode, owner, group), { stdin: w.content }));
    const large = f.stat !== undefined && f.content === undefined;
    const diff = large ? `${w.path}: content differs (too large to diff)\n` : unifiedDiff(w.path, f.content, w.content);
    return { steps, unchanged, refusals, diff };
  }
  if (w.mode !== undefined && !sameMode(w.mode, f.stat?.mode))
    steps.push(step(`${op}: mode`, `chmod ${w.mode} ${w.path}`, cmd('chmod', w.mode, '--', w.path)));
  const who = chownSpec(
    w.owner !== undefined && w.owner !== f.stat?.owner ? w.owner : undefined,
    w.group !== undefined && w.group !== f.stat?.group ? w.group : undefined,
  );
  if (who !== undefined) steps.push(step(`${op}: owner`, `chown ${who} ${w.path}`, cmd('chown', who, '--', w.path)));
  if (steps.length === 0) unchanged.push(`${w.path} (${w.content.length} bytes${w.mode ? `, mode ${w.mode}` : ''})`);
  return { steps, unchanged, refusals };
}

export function fileWant(opName: string, o: FileOptions): FileWant {
  const path = absolutePath(opName, o.path);
  const absent = o.state === 'absent';
  if (!absent && o.content === undefined) bad(opName, `${path}: content is required (or state: 'absent')`);
  if (o.state !== undefined && o.state !== 'present' && o.state !== 'absent')
    bad(opName, `${path}: state must be 'present' or 'absent'`);
  return {
    path,
    content: absent ? undefined : bytesOf(o.content ?? ''),
    mode: octalMode(opName, o.mode),
    owner: o.owner === undefined ? undefined : accountName(opName, o.owner, 'owner'),
    group: o.group === undefined ? undefined : accountName(opName, o.group, 'group'),
  };
}

/** An op managing one file from a FileWant (file, template, cron, limits share it). */
export function fileOp(id: string, w: FileWant, onChange: readonly Handler[], sensitive = false): PrepOp<FileFacts> {
  return {
    kind: 'prep-op',
    id,
    subject: w.path,
    probes: fileSections(w.path),
    parse: parseFileFacts,
    plan: (f) => planFile(w, f, id),
    onChange,
    sensitive,
  };
}

/** A file with exactly this content, mode and owner; written atomically. */
export function file(o: FileOptions): PrepOp<FileFacts> {
  const w = fileWant('file', o);
  return fileOp(`file ${w.path}`, w, handlers(o.onChange), o.sensitive ?? false);
}
