import { createHash } from 'node:crypto';
import { and, cmd } from '../../shell/command.js';
import { quote } from '../../shell/quote.js';
import { step, type Step } from '../step.js';
import { unifiedDiff } from './diff.js';
import { parseFileFacts, parseStat, type PathStat } from './file-facts.js';
import type { OpPlan, PrepOp, ProbeSection, Sections } from './op.js';
import { opVar } from './packages.js';
import { absolutePath, accountName, bad } from './validate.js';
import { atomicWrite } from './write.js';

export interface UserOptions {
  readonly name: string;
  /** a system account (useradd --system: low uid, no aging) */
  readonly system?: boolean;
  /** default /home/<name> for a new user; an existing user's is changed only when given (contents not moved) */
  readonly home?: string;
  readonly shell?: string;
  /** supplementary groups it must be in (others it has are left alone); they must exist */
  readonly groups?: readonly string[];
  /** ~/.ssh/authorized_keys holds exactly these keys (undefined: not managed) */
  readonly authorizedKeys?: readonly string[];
}

export interface UserFacts {
  /** getent passwd */
  readonly passwd:
    | { readonly uid: number; readonly gid: number; readonly home: string; readonly shell: string }
    | undefined;
  readonly groups: readonly string[];
  readonly homeStat: PathStat | undefined;
  /** content undefined: too large to fetch (compared by sha256 only) */
  readonly authorizedKeys: { readonly sha256: string; readonly content: Uint8Array | undefined } | undefined;
}

/** The home field of a `getent passwd` line. */
function homeOf(line: string | undefined): string | undefined {
  const f = (line ?? '').trim().split(':');
  return f.length >= 7 && f[5] ? f[5] : undefined;
}

/** `=` + the keys file as text (a home only the host knows), or the batched file section (a given home). */
function keysFacts(s: Sections): UserFacts['authorizedKeys'] {
  const raw = s('keys');
  if (raw?.startsWith('=')) {
    const content = new TextEncoder().encode(raw.slice(1));
    return { content, sha256: createHash('sha256').update(content).digest('hex') };
  }
  const f = parseFileFacts(s, 'keys');
  return f.sha256 ? { sha256: f.sha256, content: f.content } : undefined;
}

export function parseUserFacts(s: Sections): UserFacts {
  const pw = (s('passwd') ?? '').trim().split(':');
  const keys = keysFacts(s);
  return {
    passwd:
      pw.length >= 7 ? { uid: Number(pw[2]), gid: Number(pw[3]), home: pw[5] ?? '', shell: pw[6] ?? '' } : undefined,
    groups: (s('groups') ?? '').trim().split(/\s+/).filter(Boolean),
    homeStat: parseStat(s('home')),
    authorizedKeys: keys,
  };
}

export function keysFile(keys: readonly string[]): string {
  return keys.length === 0 ? '' : `${keys.map((k) => k.trim()).join('\n')}\n`;
}

/** useradd when missing; else only the shell, home and groups that differ; authorized_keys exactly. */
export function planUser(o: UserOptions, f: UserFacts): OpPlan {
  const op = `user ${o.name}`;
  const steps: Step[] = [];
  const unchanged: string[] = [];
  const home = o.home ?? f.passwd?.home ?? `/home/${o.name}`;
  if (!f.passwd) {
    const args = [
      ...(o.system ? ['--system'] : []),
      '--create-home',
      '--home-dir',
      home,
      ...(o.shell ? ['--shell', o.shell] : []),
      ...(o.groups?.length ? ['--groups', o.groups.join(',')] : []),
      o.name,
    ];
    steps.push(
      step(
        `${op}: create`,
        `create ${o.system ? 'system ' : ''}user ${o.name} (home ${home})`,
        cmd('useradd', ...args),
      ),
    );
  } else {
    if (o.shell && f.passwd.shell !== o.shell)
      steps.push(
        step(
          `${op}: shell`,
          `set ${o.name}'s shell ${o.shell} (was ${f.passwd.shell})`,
          cmd('usermod', '--shell', o.shell, o.name),
        ),
      );
    if (o.home && f.passwd.home !== o.home)
      steps.push(
        step(
          `${op}: home`,
          `set ${o.name}'s home ${o.home} (was ${f.passwd.home})`,
          cmd('usermod', '--home', o.home, o.name),
        ),
      );
    const add = (o.groups ?? []).filter((g) => !f.groups.includes(g));
    if (add.length > 0)
      steps.push(
        step(
          `${op}: groups`,
          `add ${o.name} to ${add.join(', ')}`,
          cmd('usermod', '--append', '--groups', add.join(','), o.name),
        ),
      );
    const homeMissing = !f.homeStat || (o.home !== undefined && o.home !== f.passwd.home);
    if (homeMissing)
      steps.push(
        step(
          `${op}: home dir`,
          `create ${home}`,
          and(cmd('mkdir', '-p', '-m', '750', '--', home), cmd('chown', `${o.name}:`, '--', home)),
        ),
      );
    if (steps.length === 0) unchanged.push(`user ${o.name} (uid ${f.passwd.uid})`);
  }
  let diff: string | undefined;
  if (o.authorizedKeys) {
    const want = new TextEncoder().encode(keysFile(o.authorizedKeys));
    const sha = createHash('sha256').update(want).digest('hex');
    const path = `${home}/.ssh/authorized_keys`;
    if (f.passwd && f.homeStat && f.authorizedKeys?.sha256 === sha)
      unchanged.push(`${path} (${o.authorizedKeys.length} keys)`);
    else {
      const ssh = `${home}/.ssh`;
      const write = and(
        cmd('mkdir', '-p', '--', ssh),
        cmd('chmod', '700', '--', ssh),
        cmd('chown', `${o.name}:`, '--', ssh),
        atomicWrite(path, '600', o.name),
        cmd('chown', `${o.name}:`, '--', path),
      );
      steps.push(
        step(`${op}: keys`, `authorized_keys of ${o.name}: exactly ${o.authorizedKeys.length} key(s)`, write, {
          stdin: want,
        }),
      );
      diff = unifiedDiff(path, f.authorizedKeys?.content, want);
    }
  }
  return { steps, unchanged, refusals: [], ...(diff ? { diff } : {}) };
}

export function user(o: UserOptions): PrepOp<UserFacts> {
  const name = accountName('user', o.name);
  if (o.home !== undefined) absolutePath('user', o.home, 'home');
  if (o.shell !== undefined) absolutePath('user', o.shell, 'shell');
  for (const g of o.groups ?? []) accountName('user', g, 'group');
  for (const k of o.authorizedKeys ?? [])
    if (typeof k !== 'string' || k.includes('\n') || !/^\S*\s*(ssh-|ecdsa-|sk-)/.test(k.trim()))
      bad('user', `${name}: ${JSON.stringify(String(k).slice(0, 40))} is not one authorized_keys line`);
  const n = quote(name);
  const pw = opVar('pw', name);
  const h = opVar('home', name);
  // the home's stat and the keys file come with every other path: a given home as it is, else as
  // the host's passwd line names it (the early passwd section sets the shell word)
  const home: ProbeSection[] =
    o.home !== undefined
      ? [
          { name: 'home', path: o.home },
          { name: 'keys', path: `${o.home}/.ssh/authorized_keys`, content: true },
        ]
      : [
          { name: 'home', word: `"$${h}"`, resolve: (s) => homeOf(s('passwd')) },
          {
            name: 'keys',
            word: `"$${h}/.ssh/authorized_keys"`,
            resolve: (s) => {
              const dir = homeOf(s('passwd'));
              // spelled as the shell word spells it, to match what stat prints
              return dir === undefined ? undefined : `${dir}/.ssh/authorized_keys`;
            },
            content: true,
          },
        ];
  return {
    kind: 'prep-op',
    id: `user ${name}`,
    subject: `user:${name}`,
    probes: [
      {
        name: 'passwd',
        early: true,
        script: `${pw}=$(getent passwd ${n}); ${h}=\${${pw}%:*} && ${h}=\${${h}##*:} && printf '%s\n' "$${pw}"`,
      },
      { name: 'groups', script: `id -Gn ${n}` },
      ...home,
    ],
    parse: parseUserFacts,
    plan: (f) => planUser({ ...o, name }, f),
    onChange: [],
  };
}
