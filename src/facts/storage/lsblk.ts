/** One block device from `lsblk -J -b -o NAME,PATH,TYPE,SIZE,RA,FSTYPE,UUID,PTTYPE,MAJ:MIN,MOUNTPOINT`. */
export interface BlockDevice {
  readonly name: string;
  readonly path: string;
  /** disk, part, raid0, raid1, lvm, loop, … */
  readonly type: string;
  readonly sizeBytes: number;
  /** read-ahead in KiB (lsblk's RA column); sectors = 2 × this */
  readonly readaheadKb: number | undefined;
  readonly fstype: string | undefined;
  readonly uuid: string | undefined;
  readonly pttype: string | undefined;
  readonly majMin: string | undefined;
  readonly mountpoint: string | undefined;
  /** paths of the devices this one sits on (an md array has one per member) */
  readonly parents: readonly string[];
  /** paths of the devices that sit on this one (partitions, arrays, LVs) */
  readonly children: readonly string[];
}

export const LSBLK_COLUMNS = 'NAME,PATH,TYPE,SIZE,RA,FSTYPE,UUID,PTTYPE,MAJ:MIN,MOUNTPOINT';

interface RawNode {
  name?: unknown;
  path?: unknown;
  type?: unknown;
  size?: unknown;
  ra?: unknown;
  fstype?: unknown;
  uuid?: unknown;
  pttype?: unknown;
  'maj:min'?: unknown;
  mountpoint?: unknown;
  children?: unknown;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function num(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return undefined;
}

interface Mutable {
  base: Omit<BlockDevice, 'parents' | 'children'>;
  parents: string[];
  children: string[];
}

/** Flatten lsblk's tree (a device under several parents appears once, with all its parents). */
export function parseLsblk(stdout: string): BlockDevice[] {
  if (stdout.trim() === '') return [];
  const data = JSON.parse(stdout) as { blockdevices?: RawNode[] };
  const byPath = new Map<string, Mutable>();
  const visit = (node: RawNode, parent: string | undefined): void => {
    const name = str(node.name) ?? '';
    const path = str(node.path) ?? `/dev/${name}`;
    let entry = byPath.get(path);
    if (!entry) {
      entry = {
        base: {
          name,
          path,
          type: str(node.type) ?? 'unknown',
          sizeBytes: num(node.size) ?? 0,
          readaheadKb: num(node.ra),
          fstype: str(node.fstype),
          uuid: str(node.uuid),
          pttype: str(node.pttype),
          majMin: str(node['maj:min']),
          mountpoint: str(node.mountpoint),
        },
        parents: [],
        children: [],
      };
      byPath.set(path, entry);
    }
    if (parent !== undefined && !entry.parents.includes(parent)) entry.parents.push(parent);
    const kids = Array.isArray(node.children) ? (node.children as RawNode[]) : [];
    for (const kid of kids) {
      const kidPath = str(kid.path) ?? `/dev/${str(kid.name) ?? ''}`;
      if (!entry.children.includes(kidPath)) entry.children.push(kidPath);
      visit(kid, path);
    }
  };
  for (const node of data.blockdevices ?? []) visit(node, undefined);
  return [...byPath.values()].map((e) => ({ ...e.base, parents: e.parents, children: e.children }));
}
