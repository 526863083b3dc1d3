import { and, cmd, sh, type Command } from '../../shell/command.js';
import { quote } from '../../shell/quote.js';
import type { ReleasePaths } from './paths.js';

/**
 * Receive the artifact on stdin into a temp file, check its sha256, then rename into the
 * content-addressed cache. A half-uploaded or corrupted file never gets the final name. It runs
 * under the deploy lock, so every other `.part-*` is a dead run's (killed, disk full): removed
 * first — the space it holds may be what this upload needs — and this run's own part is removed
 * when writing it fails.
 */
export function uploadCommand(paths: ReleasePaths, sha256: string, runId: string): Command {
  return receiveCommand(paths, sha256, runId, 'cat', 'upload');
}

/**
 * What uploadCommand does, with the bytes coming from `producer` (a shell command writing the
 * artifact to its stdout: `cat` of ours, or a relay fetch) instead of straight from our stdin.
 */
export function receiveCommand(
  paths: ReleasePaths,
  sha256: string,
  runId: string,
  producer: string,
  what: string,
): Command {
  const final = paths.cacheFile(sha256);
  const part = quote(`${final}.part-${runId.replace(/[^A-Za-z0-9-]/g, '')}`);
  const mismatch = `echo "sha256 mismatch after ${what}: got $got, want ${sha256}" >&2 && exit 65`;
  return and(
    cmd('mkdir', '-p', paths.cacheDir),
    sh(staleParts(paths)),
    sh(`if ${producer} > ${part}; then :; else rc=$? && rm -f ${part} && exit $rc; fi`),
    sh(
      `got="$(sha256sum < ${part} | cut -d' ' -f1)" && ` +
        `if [ "$got" = ${quote(sha256)} ]; then mv -f ${part} ${quote(final)}; else rm -f ${part} && ${mismatch}; fi`,
    ),
  );
}

/** Remove every upload temp file in the cache: only call it under the deploy lock. */
export function staleParts(paths: ReleasePaths): string {
  return `find ${quote(paths.cacheDir)} -maxdepth 1 -name '*.part-*' -type f -delete`;
}
