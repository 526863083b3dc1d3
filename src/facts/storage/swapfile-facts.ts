import { quote } from '../../shell/quote.js';
import type { Fact } from '../fact.js';
import { parseExportVars, type ExportVars } from './export-vars.js';
import { parseProcSwaps, type SwapArea } from './swaps.js';
import { section, fileSection, fileContent, probe, splitSections } from './sections.js';

export interface SwapfileFacts {
  /** undefined when the path does not exist */
  readonly file: { readonly sizeBytes: number; readonly mode: string; readonly type: string } | undefined;
  /** `blkid -p` of the file: TYPE=swap when it holds a swap signature */
  readonly signature: ExportVars;
  readonly active: readonly SwapArea[];
  readonly fstab: string;
}

/** One round trip: the file's stat and signature, active swaps, fstab. */
export function swapfileFacts(path: string): Fact<SwapfileFacts> {
  return {
    name: 'swapfile',
    command: probe(
      section('stat', `stat -c '%s %a %F' ${quote(path)}`),
      section('blkid', `test -f ${quote(path)} && blkid -p -o export ${quote(path)}`),
      section('swaps', 'cat /proc/swaps'),
      fileSection('fstab', '/etc/fstab'),
    ),
    parse: parseSwapfileFacts,
  };
}

export function parseSwapfileFacts(stdout: string): SwapfileFacts {
  const s = splitSections(stdout);
  const m = /^(\d+) ([0-7]+) (.+)$/.exec((s.get('stat') ?? '').trim());
  return {
    file:
      m && m[1] !== undefined && m[2] !== undefined && m[3] !== undefined
        ? { sizeBytes: Number(m[1]), mode: m[2], type: m[3] }
        : undefined,
    signature: parseExportVars(s.get('blkid') ?? ''),
    active: parseProcSwaps(s.get('swaps') ?? ''),
    fstab: fileContent(s.get('fstab')) ?? '',
  };
}
