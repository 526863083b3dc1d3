import { quote } from '../../shell/quote.js';
import type { Command } from '../../shell/command.js';

/**
 * `nginx -t` for a site file before it is linked: a throwaway main config that includes only the
 * candidate inside `http {}`, with its own pid and error log, removed afterwards.
 */
export function nginxValidateCommand(file: string): Command {
  const main = `pid %s/nginx.pid;\\nerror_log stderr;\\nevents {}\\nhttp {\\n  include /etc/nginx/mime.types;\\n  include %s;\\n}\\n`;
  return {
    script: [
      't="$(mktemp -d)"',
      `printf ${quote(main)} "$t" ${quote(file)} > "$t/nginx.conf"`,
      `{ nginx -t -q -c "$t/nginx.conf" || { rm -rf "$t" && echo ${quote(`nginx -t rejected ${file}`)} >&2 && exit 1; }; }`,
      'rm -rf "$t"',
    ].join(' && '),
  };
}

/** Graceful reload (new workers, old ones finish their requests); start nginx when it is not running. */
export function nginxReloadCommand(pidFile = '/run/nginx.pid'): Command {
  const pid = quote(pidFile);
  return { script: `if [ -s ${pid} ] && kill -0 "$(cat ${pid})" 2>/dev/null; then nginx -s reload; else nginx; fi` };
}
