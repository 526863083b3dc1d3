import { UsageError } from '../../errors/usage-error.js';
import { quote } from '../../shell/quote.js';
import type { ReleasePaths } from './paths.js';

export interface ConfigLink {
  /** path under config/ */
  readonly target: string;
  /** absolute path on the host, e.g. /etc/nginx/sites-enabled/demo.conf */
  readonly link: string;
}

/**
 * Point a service config path at current/config/<target> (atomic rename). A regular file that was
 * there before is kept as <link>.ferry-orig, never lost.
 */
export function linkConfigScript(paths: ReleasePaths, c: ConfigLink): string {
  // the link comes from a bundle definition: a relative or escaping path is the user's mistake
  if (!c.link.startsWith('/') || c.link.includes('..')) {
    throw new UsageError(`config link must be an absolute path without "..": "${c.link}"`);
  }
  const link = quote(c.link);
  const tmp = quote(`${c.link}.ferry-tmp`);
  const dir = quote(c.link.slice(0, c.link.lastIndexOf('/')) || '/');
  return [
    `mkdir -p ${dir}`,
    `{ if [ -e ${link} ] && [ ! -L ${link} ]; then mv -f ${link} ${quote(`${c.link}.ferry-orig`)}; fi; }`,
    `ln -sfn ${quote(`${paths.current}/config/${c.target}`)} ${tmp}`,
    `mv -Tf ${tmp} ${link}`,
  ].join(' && ');
}
