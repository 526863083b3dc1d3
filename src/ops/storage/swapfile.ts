import { and, cmd } from '../../shell/command.js';
import type { SwapfileFacts } from '../../facts/storage/swapfile-facts.js';
import { step, type Step } from '../step.js';
import type { Refusal } from './refusal.js';
import { parseSize } from './size.js';
import { planFstab } from './fstab.js';
import { writeFileStep } from './write-file.js';
import type { StoragePlan, Unchanged } from './ebs-stripe.js';

export interface SwapfileParams {
  /** `4G` */
  readonly size: string;
  readonly path: string;
  readonly force: boolean;
}

const PAGE = 4096;

/** The blog's swap-file recipe, idempotent: file (once) → mkswap → one fstab line → swapon. */
export function planSwapfile(p: SwapfileParams, f: SwapfileFacts): StoragePlan {
  const refusals: Refusal[] = [];
  const steps: Step[] = [];
  const unchanged: Unchanged[] = [];
  const notes: string[] = [];
  let bytes = 0;
  try {
    bytes = parseSize(p.size);
  } catch (e) {
    refusals.push({ subject: 'params', reason: (e as Error).message, forceable: false });
  }
  if (bytes % PAGE !== 0)
    refusals.push({ subject: 'params', reason: `size ${p.size}: must be a multiple of 4 KiB`, forceable: false });
  if (!p.path.startsWith('/'))
    refusals.push({ subject: 'params', reason: `path ${p.path}: must be absolute`, forceable: false });
  if (refusals.length > 0) return { steps: [], refusals, unchanged, notes, again: false };

  const active = f.active.some((a) => a.filename === p.path);
  const isSwap = f.signature.TYPE === 'swap';
  const create = step(
    'swapfile-create',
    `create ${p.size} swap file ${p.path}`,
    and(cmd('fallocate', '-l', String(bytes), p.path), cmd('chmod', '600', p.path), cmd('mkswap', p.path)),
  );
  let willBeActive = active;
  if (!f.file) {
    steps.push(create);
  } else if (f.file.type !== 'regular file' && f.file.type !== 'regular empty file') {
    refusals.push({ subject: p.path, reason: `is a ${f.file.type}, not a file`, forceable: false });
  } else if (!isSwap && !p.force) {
    refusals.push({
      subject: p.path,
      reason: `exists and holds no swap signature (${f.file.sizeBytes} bytes)`,
      forceable: true,
    });
  } else if (f.file.sizeBytes !== bytes || !isSwap) {
    if (active) steps.push(step('swapoff', `swapoff ${p.path} (resizing)`, cmd('swapoff', p.path)));
    steps.push(
      step('swapfile-remove', `remove ${p.path} (${f.file.sizeBytes} bytes, want ${bytes})`, cmd('rm', '-f', p.path)),
      create,
    );
    willBeActive = false;
  } else {
    unchanged.push({ id: 'swapfile-create', what: `swap file ${p.path} (${bytes} bytes)` });
    if (f.file.mode !== '600') steps.push(step('swapfile-mode', `chmod 600 ${p.path}`, cmd('chmod', '600', p.path)));
  }

  const change = planFstab(f.fstab, {
    line: { spec: p.path, file: 'none', vfstype: 'swap', options: ['sw'], freq: 0, passno: 0 },
    isOurs: (e) => e.spec === p.path,
    force: false,
    byMountPoint: false,
  });
  if (change.kind === 'write')
    steps.push(writeFileStep('fstab', `swap line for ${p.path} in /etc/fstab`, '/etc/fstab', change.content));
  else unchanged.push({ id: 'fstab', what: `/etc/fstab has one line for ${p.path}` });

  if (!willBeActive) steps.push(step('swapon', `swapon ${p.path}`, cmd('swapon', p.path)));
  else unchanged.push({ id: 'swapon', what: `${p.path} active` });

  if (refusals.length > 0) return { steps: [], refusals, unchanged, notes, again: false };
  return { steps, refusals, unchanged, notes, again: false };
}
