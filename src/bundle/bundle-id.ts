/** A tag as it appears in an id and a file name: anything but [A-Za-z0-9._+-] becomes '_'. */
function tagSlug(tag: string): string {
  return tag.replace(/[^A-Za-z0-9._+-]/g, '_');
}

/** `<name>-<tag>-<commit7>-<first 8 hex of the archive sha256>` */
export function bundleId(name: string, tag: string, commit: string, sha256: string): string {
  return `${name}-${tagSlug(tag)}-${commit.slice(0, 7)}-${sha256.slice(0, 8)}`;
}

/** The id prefix shared by every build of name+tag+commit (the content part follows). */
export function bundleIdPrefix(name: string, tag: string, commit: string): string {
  return `${name}-${tagSlug(tag)}-${commit.slice(0, 7)}-`;
}

/** A string that can only be an id (no path tricks): used before touching the cache. */
export function isBundleId(id: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._+-]*-[0-9a-f]{7}-[0-9a-f]{8}$/.test(id) && !id.includes('..');
}
