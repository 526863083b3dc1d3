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

/** `dpkg-query -W -f '${Package}\t${db:Status-Status}\t${Version}\n'`: name → installed version. */
export function parseDpkgQuery(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const l of text.split('\n')) {
    const [name, status, version] = l.split('\t');
    if (name && status === 'installed' && version) out.set(name, version);
  }
  return out;
}

export function parsePackagesFacts(s: Sections): PackagesFacts {
  const age = Number((s('age') ?? '').trim());
  const installed = parseDpkgQuery(s('dpkg') ?? '');
  const policy = parseAptPolicy(s('policy') ?? '');
  const packages = new Map<string, AptPackage>(policy);
  // dpkg says what is installed; apt-cache (slow: ~0.5 s of CPU) was asked only about the rest and `latest`
  for (const [name, version] of installed)
    packages.set(name, { installed: version, candidate: policy.get(name)?.candidate });
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

// biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
const DPKG_FORMAT = '${Package}\t${db:Status-Status}\t${Version}\n';

/**
 * `apt-cache policy` (slow: ~0.5 s of CPU) only for the packages the dpkg section (in `$d`) did not
 * find installed, and for every `latest` one; the membership test is builtins only. Names are
 * checked against PKG, so word splitting `$need` is safe.
 */
function policyScript(d: string, plain: readonly string[], latest: readonly string[]): string {
  const read = `i=" " && while IFS='	' read -r n st v; do [ "$st" != installed ] || i="$i$n "; done <<FERRY_DPKG
$${d}
FERRY_DPKG
`;
  const loop = `for p in ${plain.join(' ')}; do case "$i" in *" $p "*) ;; *) need="$need $p" ;; esac; done`;
  const pick = plain.length > 0 ? `${read} need="" && ${loop} && ` : 'need="" && ';
  return `${pick}need="$need${latest.map((n) => ` ${n}`).join('')}" && test -n "$need" && apt-cache policy $need`;
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
  const d = opVar('dpkg', id);
  return {
    kind: 'prep-op',
    id,
    probes: [
      { name: 'apt', script: 'command -v apt-get' },
      { name: 'age', script: listAgeScript() },
      {
        name: 'dpkg',
        script: `${d}=$(dpkg-query -W -f ${quote(DPKG_FORMAT)} ${all.map(quote).join(' ')}); printf '%s\n' "$${d}"`,
      },
      { name: 'policy', script: policyScript(d, [...(o.install ?? []), ...(o.remove ?? [])], o.latest ?? []) },
    ],
    parse: parsePackagesFacts,
    plan: (f) => planPackages(o, f, id),
    onChange: [],
  };
}
