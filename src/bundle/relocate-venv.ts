import { createHash } from 'node:crypto';
import { lstat, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { FailedError } from '../errors/index.js';

/**
 * The first lines of a relocatable console script: sh finds the venv's python next to the
 * script's real path and runs the script with it; python sees the same lines as a string.
 */
export const TRAMPOLINE = `#!/bin/sh\n'''exec' "$(dirname -- "$(realpath -- "$0")")/python3" "$0" "$@"\n' '''\n`;

/** Replace a `#!<envDir>/bin/python…` shebang by the trampoline; other files come back unchanged. */
export function relocateScript(text: string, envDir: string): string {
  const nl = text.indexOf('\n');
  const first = nl < 0 ? text : text.slice(0, nl);
  if (!first.startsWith('#!') || !first.includes(`${envDir}/bin/python`)) return text;
  return TRAMPOLINE + (nl < 0 ? '' : text.slice(nl + 1));
}

const SH_SELF = [
  '# ferry: relocatable venv, VIRTUAL_ENV is where this file is',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template
  'if [ -n "${BASH_SOURCE-}" ]; then _ferry_self="${BASH_SOURCE[0]}";',
  `elif [ -n "\${ZSH_VERSION-}" ]; then eval '_ferry_self="\${(%):-%x}"';`,
  'else _ferry_self="$0"; fi',
  'VIRTUAL_ENV="$(cd -- "$(dirname -- "$_ferry_self")/.." && pwd -P)"',
  'unset _ferry_self',
].join('\n');

/** bash/zsh `activate`: VIRTUAL_ENV computed from the script's own location. */
export function relocateActivate(text: string, envDir: string): string {
  return text.replace(new RegExp(`^VIRTUAL_ENV=["']?${escapeRegExp(envDir)}["']?$`, 'm'), SH_SELF);
}

/** fish `activate.fish`: same, with fish's `status -f`. */
export function relocateActivateFish(text: string, envDir: string): string {
  return text.replace(
    new RegExp(`^set -gx VIRTUAL_ENV ["']?${escapeRegExp(envDir)}["']?$`, 'm'),
    'set -gx VIRTUAL_ENV (builtin realpath (dirname (status -f))/..)',
  );
}

/** pyvenv.cfg without the lines that name the build folder (`command`, `executable`). */
export function relocatePyvenvCfg(text: string): string {
  const keep = text.split('\n').filter((l) => /^\s*(home|include-system-site-packages|version|prompt)\s*=/.test(l));
  return `${keep.join('\n')}\n`;
}

/** RECORD's hash form: urlsafe base64 of the sha256, unpadded. */
export function recordHash(content: string | Buffer): string {
  return `sha256=${createHash('sha256').update(content).digest('base64url')}`;
}

/**
 * A dist-info RECORD after relocation: lines of rewritten files get their new hash and size;
 * the dropped direct_url.json is no longer listed. `base` is the folder RECORD paths are relative to.
 */
export function fixRecord(text: string, base: string, rewritten: ReadonlyMap<string, string>): string {
  return text
    .split('\n')
    .filter((l) => !/\.dist-info\/direct_url\.json,/.test(l))
    .map((l) => {
      const comma = l.indexOf(',');
      if (comma < 0) return l;
      const content = rewritten.get(resolve(base, l.slice(0, comma)));
      const eol = l.endsWith('\r') ? '\r' : ''; // pip writes RECORD as CSV with CRLF
      return content === undefined
        ? l
        : `${l.slice(0, comma)},${recordHash(content)},${Buffer.byteLength(content)}${eol}`;
    })
    .join('\n');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function* files(dir: string): AsyncGenerator<string> {
  for (const name of (await readdir(dir)).sort()) {
    const p = `${dir}/${name}`;
    const st = await lstat(p);
    if (st.isDirectory()) yield* files(p);
    else if (st.isFile()) yield p;
  }
}

async function removePycache(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    const p = `${dir}/${name}`;
    if (!(await lstat(p)).isDirectory()) continue;
    if (name === '__pycache__') await rm(p, { recursive: true, force: true });
    else await removePycache(p);
  }
}

/**
 * Make the venv at `envDir` work from any path (the release id holds the archive hash, so the
 * final path is unknown when it is built), as conda-pack does: console scripts get the sh
 * trampoline, activate scripts find themselves, pyvenv.cfg loses the build path, bytecode
 * caches (which embed mtimes) and pip's direct_url.json (which embeds the build path) go.
 * Fails if the build path is still written anywhere in the venv afterwards.
 */
export async function relocateVenv(envDir: string, alsoForbidden: readonly string[] = []): Promise<void> {
  await removePycache(envDir);
  await rm(`${envDir}/bin/activate.csh`, { force: true }); // csh cannot find a sourced file's own path
  const rewritten = new Map<string, string>();
  for (const name of (await readdir(`${envDir}/bin`)).sort()) {
    const p = `${envDir}/bin/${name}`;
    if (!(await lstat(p)).isFile()) continue;
    const text = await readFile(p, 'utf8');
    let next = relocateScript(text, envDir);
    if (name === 'activate') next = relocateActivate(next, envDir);
    if (name === 'activate.fish') next = relocateActivateFish(next, envDir);
    if (next !== text) {
      await writeFile(p, next);
      rewritten.set(p, next);
    }
  }
  await writeFile(`${envDir}/pyvenv.cfg`, relocatePyvenvCfg(await readFile(`${envDir}/pyvenv.cfg`, 'utf8')));
  for await (const p of files(`${envDir}/lib`)) {
    if (p.endsWith('.dist-info/direct_url.json')) await rm(p);
  }
  for await (const p of files(`${envDir}/lib`)) {
    if (!p.endsWith('.dist-info/RECORD')) continue;
    const text = await readFile(p, 'utf8');
    const next = fixRecord(text, dirname(dirname(p)), rewritten);
    if (next !== text) await writeFile(p, next);
  }
  const forbidden = [envDir, ...alsoForbidden].map((s) => Buffer.from(s));
  const leaks: string[] = [];
  for await (const p of files(envDir)) {
    const data = await readFile(p);
    if (forbidden.some((f) => data.includes(f))) leaks.push(p.slice(envDir.length + 1));
  }
  if (leaks.length > 0) {
    const named = `${leaks.slice(0, 10).join(', ')}${leaks.length > 10 ? ', …' : ''}`;
    throw new FailedError(
      `python env: the venv still names its build folder in ${named}; it would not work from the release path`,
    );
  }
}
