/** Global flags that take a value (their value is not the command name). */
const WITH_VALUE = new Set([
  '--project',
  '--inventory',
  '--stage',
  '--hosts',
  '--roles',
  '--set',
  '--set-json',
  '-j',
  '--parallel',
  '--known-hosts',
  '-i',
  '--identity',
  '--ssh-config',
  '--connect-timeout',
]);
/**
 * `--json`'s file is optional, so the next word is its file only when it reads as one: `-` (stdout),
 * a path with a `/`, or a name ending in `.json`. Anything else (`ferry --json disk`, `ferry
 * releases --json demo`) is the command or its argument, never a file; `--json=FILE` names any file.
 */
export const isJsonFile = (word: string | undefined): word is string =>
  word !== undefined && (word === '-' || (!word.startsWith('-') && (word.includes('/') || word.endsWith('.json'))));

/**
 * argv with every `--json` in the form commander cannot misread: `--json=FILE` (the next word was
 * a file, see isJsonFile) or `--json=-` (stdout). Words after `--` are left alone.
 */
export function normalizeJsonFlag(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--') return [...out, ...argv.slice(i)];
    if (WITH_VALUE.has(a) && i + 1 < argv.length) {
      out.push(a, argv[++i] ?? '');
      continue;
    }
    if (a !== '--json') {
      out.push(a);
      continue;
    }
    const next = argv[i + 1];
    if (isJsonFile(next)) i++;
    out.push(`--json=${isJsonFile(next) ? next : '-'}`);
  }
  return out;
}

/** The command line as typed, for lock owners and reports. */
export const commandLine = (): string => ['ferry', ...process.argv.slice(2)].join(' ');

/** The command name in argv (`ferry --inventory x.yaml deploy …` → `deploy`), read before commander runs. */
export function commandWord(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--') return undefined;
    if (a.startsWith('-')) {
      if (WITH_VALUE.has(a) || (a === '--json' && isJsonFile(argv[i + 1]))) i++;
      continue;
    }
    return a;
  }
  return undefined;
}
