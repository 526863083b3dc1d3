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
/** Flags whose value is optional: like commander, the next word is their value unless it is a flag. */
const OPTIONAL_VALUE = new Set(['--json']);

/** The command line as typed, for lock owners and reports. */
export const commandLine = (): string => ['ferry', ...process.argv.slice(2)].join(' ');

/** The command name in argv (`ferry --inventory x.yaml deploy …` → `deploy`), read before commander runs. */
export function commandWord(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--') return undefined;
    if (a.startsWith('-')) {
      if (WITH_VALUE.has(a) || (OPTIONAL_VALUE.has(a) && !(argv[i + 1] ?? '-').startsWith('-'))) i++;
      continue;
    }
    return a;
  }
  return undefined;
}
