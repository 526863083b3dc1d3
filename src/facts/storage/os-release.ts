import { parseExportVars } from './export-vars.js';

export interface OsRelease {
  /** `debian`, `ubuntu`, `rocky`, … */
  readonly id: string;
  /** ID_LIKE words, e.g. `rhel centos fedora` */
  readonly like: readonly string[];
}

export function parseOsRelease(text: string): OsRelease {
  const v = parseExportVars(text);
  return { id: (v.ID ?? '').toLowerCase(), like: (v.ID_LIKE ?? '').toLowerCase().split(/\s+/).filter(Boolean) };
}

export function isDebianLike(os: OsRelease): boolean {
  return os.id === 'debian' || os.id === 'ubuntu' || os.like.includes('debian') || os.like.includes('ubuntu');
}
