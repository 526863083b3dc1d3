/** One mounted filesystem from `findmnt -J -l -o TARGET,SOURCE,FSTYPE,OPTIONS,MAJ:MIN`. */
export interface Mount {
  readonly target: string;
  readonly source: string;
  readonly fstype: string;
  readonly options: readonly string[];
  readonly majMin: string | undefined;
}

export const FINDMNT_COLUMNS = 'TARGET,SOURCE,FSTYPE,OPTIONS,MAJ:MIN';

export function parseFindmnt(stdout: string): Mount[] {
  if (stdout.trim() === '') return [];
  const data = JSON.parse(stdout) as { filesystems?: Array<Record<string, unknown>> };
  const out: Mount[] = [];
  const visit = (fs: Record<string, unknown>): void => {
    const str = (k: string): string => (typeof fs[k] === 'string' ? (fs[k] as string) : '');
    out.push({
      target: str('target'),
      source: str('source'),
      fstype: str('fstype'),
      options: str('options').split(',').filter(Boolean),
      majMin: str('maj:min') || undefined,
    });
    if (Array.isArray(fs.children)) for (const c of fs.children as Array<Record<string, unknown>>) visit(c);
  };
  for (const fs of data.filesystems ?? []) visit(fs);
  return out;
}
