import type { BundleDefinition } from '../../bundle/definition.js';
import type { Fact } from '../../facts/fact.js';
import { quote } from '../../shell/quote.js';
import type { ReleasePaths } from './paths.js';

/** What a staged release recorded at its build: its tag, commit and own definition. */
export interface RecordedRelease {
  readonly id: string;
  readonly tag?: string | undefined;
  readonly commit?: string | undefined;
  readonly definition: BundleDefinition;
}

const FILES_KEY = '  "files": ';

/**
 * Read-only: the definition a release carries in releases/<id>/manifest.json (the archive manifest,
 * see bundle/manifest.ts). Only the part before `"files"` is sent back: manifestJson writes the keys
 * in a fixed order, two spaces deep, with the file list (thousands of lines for a node app) last.
 * A string says why there is no definition (no manifest, or one ferry cannot read).
 */
export function recordedReleaseFact(p: ReleasePaths, id: string): Fact<RecordedRelease | string> {
  const file = quote(`${p.release(id)}/manifest.json`);
  const script =
    `if [ -f ${file} ]; then sed -n ${quote(`/^${FILES_KEY}/q;p`)} ${file}; ` +
    `else echo ${quote('{"absent": true}')}; fi`;
  return { name: 'recorded-release', command: { script }, parse: (stdout) => parseRecorded(id, stdout) };
}

function parseRecorded(id: string, stdout: string): RecordedRelease | string {
  const head = stdout.trimEnd();
  if (head === '{"absent": true}') return `releases/${id} has no manifest.json`;
  // the head ends after the key before "files" (with its comma): close the object there
  let m: { tag?: unknown; commit?: unknown; definition?: unknown };
  try {
    m = JSON.parse(`${head.replace(/,$/, '')}}`) as typeof m;
  } catch {
    m = {};
  }
  const def = m.definition as BundleDefinition | undefined;
  if (!def || typeof def !== 'object' || typeof def.program !== 'string' || !Array.isArray(def.configs))
    return `releases/${id}/manifest.json holds no definition ferry can read`;
  return {
    id,
    tag: typeof m.tag === 'string' ? m.tag : undefined,
    commit: typeof m.commit === 'string' ? m.commit : undefined,
    definition: def,
  };
}
