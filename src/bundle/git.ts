import { pipeline } from 'node:stream/promises';
import { UsageError } from '../errors/index.js';
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
async function recentTags(repo: string, count = 8): Promise<string[]> {
  const sorted = ['for-each-ref', '--sort=-creatordate', `--count=${count}`, '--format=%(refname:short)', 'refs/tags'];
  const out = await git(repo, 'list tags', ...sorted);
  return out === '' ? [] : out.split('\n');
}

/** Resolve a revision tag to its commit; an unknown tag is a usage error listing the recent tags. */
export async function resolveTag(repo: string, tag: string): Promise<string> {
  if (tag === '' || tag.startsWith('-') || /[\s~^:?*[\\]/.test(tag)) throw new UsageError(`invalid tag name '${tag}'`);
  const argv = ['git', '-C', repo, 'rev-parse', '--verify', '--quiet', `refs/tags/${tag}^{commit}`];
  const commit = (await runLocal('resolve tag', argv, { allowFailure: true })).stdout.trim();
  if (commit && /^[0-9a-f]{40,64}$/.test(commit)) return commit;
  const tags = await recentTags(repo);
  const known = tags.length > 0 ? `; recent tags: ${tags.join(', ')}` : '; the repository has no tags';
  throw new UsageError(`unknown tag '${tag}' in ${repo}${known}`);
}

/** Branches (local, then remote-tracking) and commits a `--ref` may name. */
const REF_CANDIDATES = (ref: string) => [`refs/heads/${ref}`, `refs/remotes/${ref}`, ref];

/**
 * Resolve a branch or commit (not a tag: `--tag` names those) to its commit; an unknown one is a
 * usage error. A branch moves, so the bundle id names the commit it was at.
 */
export async function resolveRef(repo: string, ref: string): Promise<string> {
  if (ref === '' || ref.startsWith('-') || /[\s~^:?*[\\]/.test(ref)) throw new UsageError(`invalid ref '${ref}'`);
  for (const candidate of REF_CANDIDATES(ref)) {
    const argv = ['git', '-C', repo, 'rev-parse', '--verify', '--quiet', `${candidate}^{commit}`];
    const commit = (await runLocal('resolve ref', argv, { allowFailure: true })).stdout.trim();
    if (commit && /^[0-9a-f]{40,64}$/.test(commit)) return commit;
  }
  throw new UsageError(`unknown branch or commit '${ref}' in ${repo}`);
}

/** Whether the work tree's `paths` (inside the repo) differ from `commit` (tracked files only). */
export async function workTreeDiffers(repo: string, commit: string, paths: readonly string[]): Promise<boolean> {
  const argv = ['git', '-C', repo, 'diff', '--quiet', commit, '--', ...paths];
  return (await runLocal('compare with the work tree', argv, { allowFailure: true })).code !== 0;
}

/** Committer time of a commit, in seconds since the epoch. */
export async function commitTime(repo: string, commit: string): Promise<number> {
  return Number(await git(repo, 'read commit time', 'show', '-s', '--format=%ct', commit));
}

/** What `<commit>:<path>` is: 'tree', 'blob', or undefined when missing. */
export async function objectType(repo: string, commit: string, path: string): Promise<string | undefined> {
  const argv = ['git', '-C', repo, 'cat-file', '-t', `${commit}:${path}`];
  const r = await runLocal('inspect tree', argv, { allowFailure: true });
  return r.code === 0 ? r.stdout.trim() : undefined;
}

/**
 * Extract the tree of `commit` at `path` into `dest` with `git archive` (never the work tree,
 * so uncommitted edits cannot leak into a bundle). Streamed: git's tar goes straight to disk.
 */
export async function archiveTree(repo: string, commit: string, path: string, dest: string): Promise<void> {
  const treeish = path === '' ? commit : `${commit}:${path}`;
  const { extract } = await import('tar'); // a build only: tar is not loaded when the bundle is cached
  await runLocal('checkout', ['git', '-C', repo, 'archive', '--format=tar', treeish], {
    stdout: (tar) => pipeline(tar, extract({ cwd: dest, preservePaths: false, noMtime: true })),
  });
}
