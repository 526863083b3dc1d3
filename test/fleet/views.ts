import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { quote } from '../../src/shell/quote.js';
import { run } from './keys.js';

/** Paths every fleet host sees as its own (each is a folder under the host's root, bind-mounted over the real path). */
export const DEFAULT_VIEWS: readonly string[] = [
  '/srv',
  '/etc/nginx',
  '/etc/haproxy',
  '/etc/supervisor',
  '/var/log/nginx',
  '/var/log/supervisor',
  '/var/lib/haproxy',
  '/run',
  '/tmp',
  '/root',
];

/** Views seeded with a copy of the Debian package's files on the control machine. */
const STOCK: readonly string[] = [
  '/etc/nginx',
  '/etc/haproxy',
  '/etc/supervisor',
  '/var/log/nginx',
  '/var/lib/haproxy',
];

export function viewsOf(extra: readonly string[] = []): string[] {
  const all = [...new Set([...DEFAULT_VIEWS, ...extra].map(normalize))];
  // parents before children, so a nested view is mounted over its parent view
  return all.sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b));
}

function normalize(path: string): string {
  if (!path.startsWith('/') || path === '/' || path.split('/').includes('..'))
    throw new Error(`a view must be an absolute path below /: ${path}`);
  return path.replace(/\/+$/, '');
}

/** Views that contain the fleet dir (e.g. /tmp): the dir is re-exposed inside them (see mountScript). */
export function viewsHoldingDir(views: readonly string[], dir: string): string[] {
  for (const view of views) if (dir === view) throw new Error(`the fleet dir ${dir} cannot be a view itself`);
  return views.filter((view) => dir.startsWith(`${view}/`));
}

/**
 * Build `<dir>/template`, the seed of every host root: stock package files, private /run
 * (with /run/sshd for sshd's privilege separation, /run/haproxy for the stock stats socket),
 * /tmp with mode 1777.
 */
export async function buildTemplate(dir: string, views: readonly string[]): Promise<string> {
  const template = join(dir, 'template');
  for (const view of views) {
    const target = join(template, view);
    mkdirSync(dirname(target), { recursive: true });
    if (STOCK.includes(view) && existsSync(view)) await run('cp', ['-a', view, target]);
    else mkdirSync(target, { recursive: true, mode: 0o755 });
  }
  // The stock default site listens on *:80 and [::]:80 — the same socket on every host, so a second
  // host's nginx could not start. Hosts keep sites-available/default but do not enable it.
  rmSync(join(template, 'etc/nginx/sites-enabled/default'), { force: true });
  const supervisord = join(template, 'etc/supervisor/supervisord.conf');
  if (existsSync(supervisord)) writeFileSync(supervisord, privateRunSupervisord(readFileSync(supervisord, 'utf8')));
  if (views.includes('/run')) {
    for (const sub of ['sshd', 'haproxy', 'lock'])
      mkdirSync(join(template, 'run', sub), { recursive: true, mode: 0o755 });
    chmodSync(join(template, 'run'), 0o755);
    chmodSync(join(template, 'run/sshd'), 0o755);
    chmodSync(join(template, 'run/lock'), 0o1777);
  }
  if (views.includes('/tmp')) chmodSync(join(template, 'tmp'), 0o1777);
  if (views.includes('/root')) seedRootHome(join(template, 'root'));
  return template;
}

/**
 * A fresh Debian root home: base-files' dot.bashrc and dot.profile, mode 0700. Without this
 * view hosts would share the control machine's /root, whose ~/.bashrc (sourced by bash for
 * every ssh exec) may run anything — here pyenv init, ~85 ms per remote command.
 */
function seedRootHome(home: string): void {
  chmodSync(home, 0o700);
  for (const [from, to] of [
    ['/usr/share/base-files/dot.bashrc', '.bashrc'],
    ['/usr/share/base-files/dot.profile', '.profile'],
  ] as const) {
    if (existsSync(from)) writeFileSync(join(home, to), readFileSync(from));
  }
}

/** The stock supervisord.conf with socket and pidfile in the host's private /run. */
export function privateRunSupervisord(conf: string): string {
  return conf
    .replace(/^file\s*=\s*\S+/m, 'file=/run/supervisor.sock')
    .replace(/^pidfile\s*=\s*\S+/m, 'pidfile=/run/supervisord.pid')
    .replace(/^serverurl\s*=\s*\S+/m, 'serverurl=unix:///run/supervisor.sock');
}

/** Copy the template into every host root (`cp -a`, two shells). */
export async function seedRoots(template: string, roots: readonly string[], parallel = 2): Promise<void> {
  const batches: string[][] = Array.from({ length: parallel }, () => []);
  for (const [i, root] of roots.entries()) batches[i % parallel]?.push(root);
  const script = 't=$1; shift; for r in "$@"; do mkdir -p "$r" && cp -a "$t/." "$r/" || exit 1; done';
  await Promise.all(batches.filter((b) => b.length > 0).map((b) => run('sh', ['-c', script, 'seed', template, ...b])));
}

/** Make sure every mount point exists on the control machine (a bind mount needs a target). */
export function ensureMountPoints(views: readonly string[]): void {
  for (const view of views) if (!existsSync(view)) mkdirSync(view, { recursive: true });
}

/**
 * Shell script run by `unshare -m` before `exec sshd`: bind each view of the host over the real path.
 * A folder the hosts must still see that lies inside a view (the fleet dir inside /tmp by default:
 * sshd's config, host key, authorized_keys; the control machine's node when the repo is there) is
 * first bound at the same place inside that view.
 */
export function mountScript(root: string, views: readonly string[], exposed: readonly string[]): string {
  const steps: string[] = [];
  for (const dir of exposed)
    for (const view of viewsHoldingDir(views, dir)) {
      const stash = join(root, view, relative(view, dir));
      steps.push(`mount --bind ${quote(dir)} ${quote(stash)}`);
    }
  for (const view of views) steps.push(`mount --rbind ${quote(join(root, view))} ${quote(view)}`);
  return steps.join(' && ');
}

/** Create the empty stash folders used by mountScript (in every host root). */
export function makeStashes(roots: readonly string[], views: readonly string[], exposed: readonly string[]): void {
  for (const dir of exposed)
    for (const view of viewsHoldingDir(views, dir)) {
      for (const root of roots) mkdirSync(join(root, view, relative(view, dir)), { recursive: true });
    }
}
