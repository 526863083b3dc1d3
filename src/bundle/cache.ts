import { existsSync } from 'node:fs';
import { readFile, readdir, rm } from 'node:fs/promises';
import { UsageError } from '../errors/index.js';
import { isBundleId } from './bundle-id.js';
import type { Manifest } from './manifest.js';

/** A bundle built into the local cache. */
export interface BuiltBundle {
  readonly id: string;
  /** `<cache>/<id>.tar.gz` */
  readonly archivePath: string;
  readonly sha256: string;
  readonly size: number;
  readonly manifest: Manifest;
  /** local folder holding the app tree at the tag (without the installed env) */
  readonly appDir: string;
  /** folder that config template paths are relative to (the bundle dir at the tag) */
  readonly templatesDir: string;
}

export function cacheDir(projectDir: string): string {
  return `${projectDir}/.ferry/cache/bundles`;
}

export function manifestPath(projectDir: string, id: string): string {
  return `${cacheDir(projectDir)}/${id}.manifest.json`;
}

export function archivePath(projectDir: string, id: string): string {
  return `${cacheDir(projectDir)}/${id}.tar.gz`;
}

/** When the archive was last hashed (see archive-stamp.ts): inside the tree dir, removed with it. */
export function stampPath(projectDir: string, id: string): string {
  return `${treeDir(projectDir, id)}/archive.verified.json`;
}

/** `<cache>/<id>/`: app/ (the tree at the tag) and, for sources outside the project, bundle/. */
export function treeDir(projectDir: string, id: string): string {
  return `${cacheDir(projectDir)}/${id}`;
}

export function builtFrom(projectDir: string, manifest: Manifest): BuiltBundle {
  const tree = treeDir(projectDir, manifest.id);
  const external = existsSync(`${tree}/bundle`);
  return {
    id: manifest.id,
    archivePath: archivePath(projectDir, manifest.id),
    sha256: manifest.sha256,
    size: manifest.size,
    manifest,
    appDir: `${tree}/app`,
    templatesDir: external ? `${tree}/bundle` : `${tree}/app`,
  };
}

/** A bundle of the cache by id; an unknown id is a usage error. */
export async function loadBundle(projectDir: string, id: string): Promise<BuiltBundle> {
  if (!isBundleId(id)) throw new UsageError(`'${id}' is not a bundle id (<name>-<tag>-<commit7>-<content8>)`);
  const text = await readFile(manifestPath(projectDir, id), 'utf8').catch(() => undefined);
  if (text === undefined)
    throw new UsageError(`no bundle '${id}' in ${cacheDir(projectDir)} (see \`ferry bundle ls\`)`);
  return builtFrom(projectDir, JSON.parse(text) as Manifest);
}

/** Every bundle in the cache, newest build first. */
export async function listBundles(projectDir: string): Promise<BuiltBundle[]> {
  const names = await readdir(cacheDir(projectDir)).catch(() => [] as string[]);
  const out: BuiltBundle[] = [];
  for (const n of names) {
    if (!n.endsWith('.manifest.json')) continue;
    const id = n.slice(0, -'.manifest.json'.length);
    if (!isBundleId(id)) continue;
    out.push(await loadBundle(projectDir, id));
  }
  return out.sort(
    (a, b) => (b.manifest.builtAt ?? '').localeCompare(a.manifest.builtAt ?? '') || a.id.localeCompare(b.id),
  );
}

/** Remove a cache entry: the manifest first (its presence marks a complete entry), then the rest. */
export async function removeCached(projectDir: string, id: string): Promise<void> {
  await rm(manifestPath(projectDir, id), { force: true });
  await rm(archivePath(projectDir, id), { force: true });
  await rm(treeDir(projectDir, id), { recursive: true, force: true });
}
