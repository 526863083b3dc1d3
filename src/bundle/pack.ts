import { existsSync } from 'node:fs';
import { writeArchive, type ArchiveResult } from './archive.js';
import { manifestJson, type ArchiveManifest } from './manifest.js';
import { walkTree, type TreeEntry } from './tree.js';

/** The top-level folders of a staged bundle, in archive order. */
const STAGED_TOPS = ['app', 'env'] as const;

/**
 * Pack a staged bundle (`staging/app`, `staging/env`) in one pass: every file is hashed as it
 * is archived, and `manifest.json` (the archive manifest, with those hashes) is the last entry.
 */
export async function packStaged(
  staging: string,
  meta: Omit<ArchiveManifest, 'files'>,
  dest: string,
): Promise<Omit<ArchiveResult, 'records'> & { inner: ArchiveManifest }> {
  const entries: TreeEntry[] = [];
  for (const top of STAGED_TOPS)
    if (existsSync(`${staging}/${top}`)) for await (const e of walkTree(staging, top)) entries.push(e);
  let inner: ArchiveManifest | undefined;
  const result = await writeArchive(staging, entries, new Date(meta.commitTime), dest, (files) => {
    inner = { ...meta, files: [...files] };
    return { path: 'manifest.json', data: Buffer.from(manifestJson(inner)) };
  });
  return { sha256: result.sha256, size: result.size, inner: inner as ArchiveManifest };
}
