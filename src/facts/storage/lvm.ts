/** Rows of `pvs|vgs|lvs --reportformat json --units b --nosuffix -o …`. */
export interface PhysicalVolume {
  readonly pvName: string;
  /** empty when the PV is in no VG */
  readonly vgName: string;
  readonly sizeBytes: number;
}

export interface VolumeGroup {
  readonly vgName: string;
  readonly pvCount: number;
  readonly lvCount: number;
  readonly sizeBytes: number;
  readonly freeBytes: number;
}

export interface LogicalVolume {
  readonly lvName: string;
  readonly vgName: string;
  readonly lvPath: string;
  readonly sizeBytes: number;
  /** false when the LV exists but is not activated (no device node yet) */
  readonly active: boolean;
}

export const PVS_FIELDS = 'pv_name,vg_name,pv_size';
export const VGS_FIELDS = 'vg_name,pv_count,lv_count,vg_size,vg_free';
export const LVS_FIELDS = 'lv_name,vg_name,lv_path,lv_size,lv_active';

type Row = Record<string, unknown>;

function rows(stdout: string, key: 'pv' | 'vg' | 'lv'): Row[] {
  if (stdout.trim() === '') return [];
  const data = JSON.parse(stdout) as { report?: Array<Record<string, Row[] | undefined>> };
  return (data.report ?? []).flatMap((r) => r[key] ?? []);
}

const s = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
const n = (v: unknown): number => {
  const x = Number(s(v).replace(/[^0-9.]/g, ''));
  return Number.isFinite(x) ? x : 0;
};

export function parsePvs(stdout: string): PhysicalVolume[] {
  return rows(stdout, 'pv').map((r) => ({ pvName: s(r.pv_name), vgName: s(r.vg_name), sizeBytes: n(r.pv_size) }));
}

export function parseVgs(stdout: string): VolumeGroup[] {
  return rows(stdout, 'vg').map((r) => ({
    vgName: s(r.vg_name),
    pvCount: n(r.pv_count),
    lvCount: n(r.lv_count),
    sizeBytes: n(r.vg_size),
    freeBytes: n(r.vg_free),
  }));
}

export function parseLvs(stdout: string): LogicalVolume[] {
  return rows(stdout, 'lv').map((r) => ({
    lvName: s(r.lv_name),
    vgName: s(r.vg_name),
    lvPath: s(r.lv_path),
    sizeBytes: n(r.lv_size),
    // older captures lack the column: assume active
    active: r.lv_active === undefined ? true : s(r.lv_active) === 'active',
  }));
}
