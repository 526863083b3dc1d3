import type { BundleDefinition, BundleSource } from './definition.js';
import type { FileRecord } from './tree.js';

/** Bump when the artifact layout or build rules change: cached bundles of another format are rebuilt. */
export const MANIFEST_FORMAT = 2;

export interface EnvInfo {
  readonly kind: 'node' | 'python' | 'none';
  readonly node?: { readonly version: string; readonly platform: string; readonly arch: string };
  readonly python?: { readonly version: string; readonly interpreter: string };
}

/** The manifest stored inside the archive (`manifest.json`): identical for every build of a tag. */
export interface ArchiveManifest {
  readonly format: number;
  readonly name: string;
  /** the tag, or with `ref` the branch or commit, it was built from */
  readonly tag: string;
  /** true: built from a branch or commit (`--ref`), not a tag */
  readonly ref?: boolean;
  readonly commit: string;
  /** committer time, ISO 8601: also the mtime of every entry */
  readonly commitTime: string;
  readonly env: EnvInfo;
  /** the validated definition from the tagged revision (no control-machine paths) */
  readonly definition: BundleDefinition;
  /** a definition from the project's bundle folder (not the tagged tree): see definition-digest.ts */
  readonly definitionDigest?: string;
  /** files and symlinks under app/ and env/, in archive order */
  readonly files: readonly FileRecord[];
}

/** The manifest beside the archive: the archive manifest plus what depends on the archive itself. */
export interface Manifest extends ArchiveManifest {
  readonly id: string;
  /** sha256 of the .tar.gz */
  readonly sha256: string;
  /** bytes of the .tar.gz */
  readonly size: number;
  readonly builtAt?: string;
  /** where the sources came from on the control machine that built it */
  readonly source?: BundleSource;
}

/** Stable JSON (keys in the order the objects were built; ferry builds them in a fixed order). */
export function manifestJson(m: ArchiveManifest | Manifest): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}
