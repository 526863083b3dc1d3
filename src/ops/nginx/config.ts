import { UsageError } from '../../errors/usage-error.js';
import { quote } from '../../shell/quote.js';
import { sh, type Command } from '../../shell/command.js';

/**
 * An nginx site on a host: validate the staged site files before they are linked, then reload
 * nginx after `current` moved.
 */

/** Paths written into nginx config text: no quoting needed (or possible) for these characters. */
const CONF_PATH = /^\/[A-Za-z0-9_./@+*-]+$/;

function confPath(path: string): string {
  if (!CONF_PATH.test(path)) {
    throw new UsageError(`nginx include path must be absolute, without spaces, quotes or ';': ${JSON.stringify(path)}`);
  }
  return path;
}

export interface NginxSiteTestOptions {
  /** candidate server/site files (included inside `http {}`), e.g. the staged release's config/nginx/site.conf */
  readonly sites: readonly string[];
  /** included in `http {}` before the sites: what the site relies on (mime.types, shared maps, log formats) */
  readonly httpIncludes?: readonly string[];
}

/**
 * The throwaway main config that wraps candidate site files so they can be checked before they
 * are linked into /etc/nginx: relative `pid` (under the `-p` prefix, a temp dir), errors to stderr.
 */
export function nginxSiteWrapperConf(o: NginxSiteTestOptions): string {
  if (o.sites.length === 0) throw new Error('nginx site test: at least one site file is required');
  const lines = [
    'pid nginx.pid;',
    'error_log stderr;',
    'events {}',
    'http {',
    ...(o.httpIncludes ?? []).map((p) => `  include ${confPath(p)};`),
    ...o.sites.map((p) => `  include ${confPath(p)};`),
    '}',
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * Validate candidate site files BEFORE they are linked: write the wrapper main config into a
 * fresh temp dir and run `nginx -t -q -e stderr -p <tmp> -c <tmp>/nginx.conf` (no port is bound,
 * the running nginx is untouched); the temp dir is removed whatever the outcome.
 */
export function nginxTestSiteCommand(o: NginxSiteTestOptions): Command {
  const text = nginxSiteWrapperConf(o);
  return sh(
    `tmp=$(mktemp -d /tmp/ferry-nginx-t.XXXXXX) && printf '%s' ${quote(text)} > "$tmp/nginx.conf"` +
      ` && { nginx -t -q -e stderr -p "$tmp" -c "$tmp/nginx.conf" && rm -rf "$tmp" || { rm -rf "$tmp" && false; }; }`,
  );
}

export interface NginxReloadOptions {
  /** main config (`-c`); default: the compiled-in one */
  readonly conf?: string;
  /** the `pid` of that config (Debian: /run/nginx.pid) */
  readonly pidFile?: string;
}

/**
 * Validate, then graceful reload (`nginx -s reload`: the master re-reads the config, new workers
 * start, old ones finish their requests) when a live master is recorded in the pid file; start
 * nginx otherwise. An invalid config never reaches the running nginx.
 */
export function nginxReloadCommand(o: NginxReloadOptions = {}): Command {
  const base = ['nginx', ...(o.conf === undefined ? [] : ['-c', quote(o.conf)])].join(' ');
  const pid = quote(o.pidFile ?? '/run/nginx.pid');
  return sh(
    `${base} -t -q && if [ -s ${pid} ] && kill -0 "$(cat ${pid})" 2>/dev/null;` +
      ` then ${base} -s reload;` +
      ` else ${base}; fi`,
  );
}
