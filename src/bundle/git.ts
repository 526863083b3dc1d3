import { spawn } from 'node:child_process';
import { pipeline } from 'node:stream/promises';
import { FailedError, UsageError, tail } from '../errors/index.js';
import { runLocal } from '../runner/run-local.js';

async function git(repo: string, step: string, ...args: string[]): Promise<string> {
  const { stdout } = await runLocal(step, ['git', '-C', repo, ...args]);
  return stdout.trim();
}

/** The top folder of the git work tree that contains `dir`. */
export async function repoRoot(dir: string): Promise<string> {
  return git(dir, 'find the git repository', 'rev-parse', '--show-toplevel');
}

/** The most recent tags (by creation date), newest first. */
export async function recentTags(repo: string, count = 8): Promise<string[]> {
  const out = await git(repo, 'list tags', 'for-each-ref', '--sort=-creatordate', `--count=${count}`, '--format=%(refname:short)', 'refs/tags');
  return out === '' ? [] : out.split('\n');
}

/** Resolve a revision tag to its commit; an unknown tag is a usage error listing the recent tags. */
export async function resolveTag(repo: string, tag: string): Promise<string> {
  if (tag === '' || tag.startsWith('-') || /[\s~^:?*[\\]/.test(tag)) throw new UsageError(`invalid tag name '${tag}'`);
  const r = await runLocal('resolve tag', ['git', '-C', repo, 'rev-parse', '--verify', '--quiet', `refs/tags/${tag}^{commit}`]).catch(() => undefined);
  const commit = r?.stdout.trim();
  if (commit && /^[0-9a-f]{40,64}$/.test(commit)) return commit;
  const tags = await recentTags(repo);
  const known = tags.length > 0 ? `; recent tags: ${tags.join(', ')}` : '; the repository has no tags';
  throw new UsageError(`unknown tag '${tag}' in ${repo}${known}`);
}

/** Committer time of a commit, in seconds since the epoch. */
export async function commitTime(repo: string, commit: string): Promise<number> {
  return Number(await git(repo, 'read commit time', 'show', '-s', '--format=%ct', commit));
}

/** What `<commit>:<path>` is: 'tree', 'blob', or undefined when missing. */
export async function objectType(repo: string, commit: string, path: string): Promise<string | undefined> {
  const r = await runLocal('inspect tree', ['git', '-C', repo, 'cat-file', '-t', `${commit}:${path}`]).catch(() => undefined);
  return r?.stdout.trim();
}

/**
 * Extract the tree of `commit` at `path` into `dest` with `git archive` (never the work tree,
 * so uncommitted edits cannot leak into a bundle). Streamed: git's tar goes straight to disk.
 */
export async function archiveTree(repo: string, commit: string, path: string, dest: string): Promise<void> {
  const treeish = path === '' ? commit : `${commit}:${path}`;
  const { extract } = await import('tar'); // a build only: tar is not loaded when the bundle is cached
  const child = spawn('git', ['-C', repo, 'archive', '--format=tar', treeish], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr = tail(stderr + c, 4000)));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
  try {
    await pipeline(child.stdout, extract({ cwd: dest, preservePaths: false, noMtime: true }));
  } catch (e) {
    child.kill();
    await exited.catch(() => undefined);
    throw new FailedError(`checkout: extracting \`git archive ${treeish}\` failed: ${e instanceof Error ? e.message : String(e)}`, undefined, { cause: e });
  }
  const code = await exited;
  if (code !== 0) throw new FailedError(`checkout: \`git archive ${treeish}\` failed (exit ${code}): ${stderr.trim()}`);
}
