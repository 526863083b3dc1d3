import { createHash } from 'node:crypto';
import { cmd, type Command } from '../../shell/command.js';
import { quote } from '../../shell/quote.js';
import { step, type Step } from '../step.js';
import type { Refusal } from '../storage/refusal.js';
import type { OpPlan, PrepOp, Sections } from './op.js';
import { bad } from './validate.js';

export interface PackagesOptions {
  /** installed when missing */
  readonly install?: readonly string[];
  /** installed, and upgraded when apt has a newer candidate */
  readonly latest?: readonly string[];
  /** removed when installed */
  readonly remove?: readonly string[];
  /** `apt-get update` first only when the lists are older than this (default 24 h) */
  readonly maxListAgeSeconds?: number;
}

export interface AptPackage {
  /** undefined: not installed */
  readonly installed: string | undefined;
  /** undefined: nothing installable */
  readonly candidate: string | undefined;
}

export interface PackagesFacts {
  readonly apt: boolean;
  /** seconds since the package lists were last updated; undefined: never */
  readonly listAge: number | undefined;
  /** what `apt-cache policy` knows; a package it does not know is missing here */
  readonly packages: ReadonlyMap<string, AptPackage>;
}

const PKG = /^[a-z0-9][a-z0-9+.-]+(?::[a-z0-9-]+)?$/;

/** `apt-cache policy a b c`: one block per package it knows. */
export function parseAptPolicy(text: string): Map<string, AptPackage> {
  const out = new Map<string, AptPackage>();
  let name: string | undefined;
  let installed: string | undefined;
  const flush = (candidate: string | undefined) => {
    if (name !== undefined) out.set(name, { installed, candidate });
  };
  for (const l of text.split('\n')) {
    const head = /^(\S+):$/.exec(l);
    if (head) {
      name = head[1];
      installed = undefined;
      continue;
    }
    const m = /^\s+(Installed|Candidate): (.+)$/.exec(l);
    if (!m || name === undefined) continue;
    const v = m[2] === '(none)' ? undefined : m[2];
    if (m[1] === 'Installed') installed = v;
    else flush(v);
  }
  return out;
}

/** The dpkg section: the names of the asked packages dpkg has installed (space-separated). */
export function parseInstalled(text: string): Set<string> {
  return new Set(text.split(/\s+/).filter(Boolean));
}

export function parsePackagesFacts(s: Sections): PackagesFacts {
  const age = Number((s('age') ?? '').trim());
  const policy = parseAptPolicy(s('policy') ?? '');
  const packages = new Map<string, AptPackage>(policy);
  // dpkg's own lists say what is installed; apt-cache (slow: ~0.5 s of CPU) was asked only about the
  // missing ones and `latest`, and its Installed line is the version where it was asked
  for (const name of parseInstalled(s('dpkg') ?? ''))
    packages.set(name, {
      installed: policy.get(name)?.installed ?? 'installed',
      candidate: policy.get(name)?.candidate,
    });
  return {
    apt: (s('apt') ?? '').trim() !== '',
    listAge: (s('age') ?? '').trim() !== '' && Number.isFinite(age) ? age : undefined,
    packages,
  };
}

const apt = (...args: string[]): Command => ({
  ...cmd('apt-get', '-q', '-y', ...args),
  env: { DEBIAN_FRONTEND: 'noninteractive' },
});

/** One `apt-get install` for every missing package; `update` first only when the lists are stale. */
export function planPackages(o: PackagesOptions, f: PackagesFacts, op = 'packages'): OpPlan {
  if (!f.apt)
    return {
      steps: [],
      unchanged: [],
      refusals: [{ subject: op, reason: 'no apt-get on this host', forceable: false }],
    };
  const maxAge = o.maxListAgeSeconds ?? 86_400;
  const stale = f.listAge === undefined || f.listAge > maxAge;
  const refusals: Refusal[] = [];
  const unchanged: string[] = [];
  const install: string[] = [];
  for (const name of [...(o.install ?? []), ...(o.latest ?? [])]) {
    const p = f.packages.get(name);
    const latest = o.latest?.includes(name) ?? false;
    // `latest` on stale lists cannot tell: update, then let apt-get install upgrade it if newer
    if (p?.installed !== undefined && (!latest || (!stale && (p.installed === p.candidate || !p.candidate))))
      unchanged.push(`${name} ${p.installed}`);
    else if (p?.candidate !== undefined || stale) install.push(name);
    else
      refusals.push({ subject: name, reason: 'unknown package (apt knows no installable version)', forceable: false });
  }
  const remove = (o.remove ?? []).filter((n) => f.packages.get(n)?.installed !== undefined);
  for (const n of o.remove ?? []) if (!remove.includes(n)) unchanged.push(`${n} not installed`);
  const steps: Step[] = [];
  if (install.length > 0 && stale) {
    const why = f.listAge === undefined ? 'never updated' : `${Math.round(f.listAge / 3600)} h old`;
    steps.push(step(`${op}: update`, `apt-get update (lists ${why})`, apt('update')));
  }
  if (install.length > 0)
    steps.push(
      step(`${op}: install`, `install ${install.join(', ')}`, apt('install', '--no-install-recommends', ...install)),
    );
  if (remove.length > 0) steps.push(step(`${op}: remove`, `remove ${remove.join(', ')}`, apt('remove', ...remove)));
  return { steps, unchanged, refusals };
}

/**
 * Which of the packages are installed, by dpkg's own file lists (`info/<name>.list`, or
 * `<name>:<arch>.list` for a multi-arch one): shell builtins only, where `dpkg-query` parses the
 * whole status database (~10 ms of CPU on every host of every no-op run). As Ansible's apt module
 * (python-apt's current version), an unpacked but unconfigured package counts as installed.
 * Sets `need`: the `install` ones missing, and every `latest` one (the only ones apt-cache and the
 * list age are asked about). Names are checked against PKG, so unquoted words are safe.
 */
function installedScript(need: string, all: readonly string[], install: readonly string[], latest: readonly string[]) {
  const info = '/var/lib/dpkg/info';
  const missing = install.length > 0 ? `case " ${install.join(' ')} " in *" $p "*) ${need}="$${need} $p";; esac` : ':';
  return (
    `${need}="${latest.join(' ')}" && i="" && for p in ${all.join(' ')}; do ` +
    `if [ -e ${info}/$p.list ]; then i="$i $p"; else set -- ${info}/$p:*.list; ` +
    `if [ -e "$1" ]; then i="$i $p"; else ${missing}; fi; fi; done && echo $i`
  );
}

/**
 * Seconds since the last `apt-get update`: nothing while no index is there (a fresh image has an
 * empty, recent lists dir), else the newest of what an update touches (index files keep the
 * server's mtime, not the update's). The loop body always succeeds, so `done && echo` is safe.
 */
export function listAgeScript(lists = '/var/lib/apt/lists', cache = '/var/cache/apt/pkgcache.bin'): string {
  return (
    `set -- ${quote(lists)}/*_Packages* && test -e "$1" && now=$(date +%s) && m=0 && ` +
    `for t in $(stat -c %Y ${quote(`${lists}/partial`)} ${quote(lists)} ${quote(cache)}); do ` +
    '[ "$t" -le "$m" ] || m=$t; done && echo $((now - m))'
  );
}

/** A shell variable name of this op's own (sections of one apply share one shell). */
export function opVar(prefix: string, key: string): string {
  return `ferry_${prefix}_${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
}

/** Debian/Ubuntu packages: present, latest or absent. */
export function packages(o: PackagesOptions): PrepOp<PackagesFacts> {
  const all = [...(o.install ?? []), ...(o.latest ?? []), ...(o.remove ?? [])];
  if (all.length === 0) bad('packages', 'name at least one package (install, latest or remove)');
  for (const n of all)
    if (typeof n !== 'string' || !PKG.test(n)) bad('packages', `${JSON.stringify(n)} is not a package name`);
  const id = `packages ${all.join(',')}`;
  const need = opVar('need', id);
  return {
    kind: 'prep-op',
    id,
    probes: [
      { name: 'apt', script: 'command -v apt-get' },
      { name: 'dpkg', script: installedScript(need, all, o.install ?? [], o.latest ?? []) },
      // a no-op run (all installed, nothing `latest`) runs neither
      { name: 'age', script: `test -n "$${need}" && ${listAgeScript()}` },
      { name: 'policy', script: `test -n "$${need}" && apt-cache policy $${need}` },
    ],
    parse: parsePackagesFacts,
    plan: (f) => planPackages(o, f, id),
    onChange: [],
  };
}
