import { quote } from '../../shell/quote.js';
import { cmd, sh, type Command, type Word } from '../../shell/command.js';

/** Paths written into nginx config text: no quoting needed (or possible) for these characters. */
const CONF_PATH = /^\/[A-Za-z0-9_.\/@+*-]+$/;

function confPath(path: string): string {
  if (!CONF_PATH.test(path)) throw new Error(`nginx include path must be absolute, without spaces, quotes or ';': ${JSON.stringify(path)}`);
  return path;
}

export interface NginxTestOptions {
  /** main config (`-c`); default: nginx's compiled-in /etc/nginx/nginx.conf */
  readonly conf?: string;
  readonly binary?: string;
  readonly sudo?: boolean | string;
}

/** `nginx -t -q [-c conf]`: validate a complete configuration (errors on stderr, exit 1). */
export function nginxTestCommand(o: NginxTestOptions = {}): Command {
  const argv: Word[] = [o.binary ?? 'nginx', '-t', '-q'];
  if (o.conf !== undefined) argv.push('-c', o.conf);
  const command = cmd(...argv);
  return o.sudo ? { ...command, sudo: o.sudo } : command;
}

export interface NginxSiteTestOptions {
  /** candidate server/site files (included inside `http {}`), e.g. the staged release's config/nginx/site.conf */
  readonly sites: readonly string[];
  /** included at the top level before `events {}`, e.g. /etc/nginx/modules-enabled/*.conf for dynamic modules */
  readonly mainIncludes?: readonly string[];
  /** included in `http {}` before the sites: what the site relies on (mime.types, shared maps, log formats) */
  readonly httpIncludes?: readonly string[];
  readonly binary?: string;
  readonly sudo?: boolean | string;
}

/**
 * The throwaway main config that wraps candidate site files so they can be checked before they
 * are linked into /etc/nginx: relative `pid` (under the `-p` prefix, a temp dir), errors to stderr.
 */
export function nginxSiteWrapperConf(o: Pick<NginxSiteTestOptions, 'sites' | 'mainIncludes' | 'httpIncludes'>): string {
  if (o.sites.length === 0) throw new Error('nginx site test: at least one site file is required');
  const lines = [
    'pid nginx.pid;',
    'error_log stderr;',
    ...(o.mainIncludes ?? []).map((p) => `include ${confPath(p)};`),
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
  const bin = quote(o.binary ?? 'nginx');
  const script =
    `tmp=$(mktemp -d /tmp/ferry-nginx-t.XXXXXX) && printf '%s' ${quote(text)} > "$tmp/nginx.conf"` +
    ` && { ${bin} -t -q -e stderr -p "$tmp" -c "$tmp/nginx.conf" && rm -rf "$tmp" || { rm -rf "$tmp" && false; }; }`;
  const command = sh(script);
  return o.sudo ? { ...command, sudo: o.sudo } : command;
}
