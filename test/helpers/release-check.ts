import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface ReleaseCheck {
  readonly current?: string;
  readonly complete: boolean;
  readonly problems: string[];
}

/**
 * From the control machine: does this host's `current` resolve to a complete release?
 * Every file the release's manifest lists exists with its sha256 and size.
 */
export function checkCurrent(hostRoot: string, app: string): ReleaseCheck {
  const base = join(hostRoot, 'srv', app);
  const problems: string[] = [];
  let target: string;
  try {
    target = readlinkSync(join(base, 'current'));
  } catch {
    return { complete: false, problems: ['no current symlink'] };
  }
  const id = target.replace(/^releases\//, '');
  const rel = join(base, target);
  if (id.endsWith('.partial')) problems.push('current points at a .partial dir');
  const manifestFile = join(rel, 'manifest.json');
  if (!existsSync(manifestFile))
    return { current: id, complete: false, problems: [...problems, `no manifest in ${target}`] };
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as {
    files: Array<{ path: string; size: number; sha256: string; link?: string }>;
  };
  for (const f of manifest.files) {
    const file = join(rel, f.path);
    try {
      if (f.link !== undefined) {
        if (readlinkSync(file) !== f.link) problems.push(`${f.path}: link target differs`);
        continue;
      }
      const st = statSync(file);
      if (st.size !== f.size) problems.push(`${f.path}: size ${st.size} != ${f.size}`);
      else if (createHash('sha256').update(readFileSync(file)).digest('hex') !== f.sha256)
        problems.push(`${f.path}: sha256 differs`);
    } catch {
      problems.push(`${f.path}: missing`);
    }
  }
  return { current: id, complete: problems.length === 0, problems };
}
