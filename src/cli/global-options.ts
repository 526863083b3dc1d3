import { InvalidArgumentError, Option, type Command as Program } from 'commander';
import { parseShard, type Shard } from '../inventory/shard.js';
import { DEFAULT_KEEP_LOGS } from '../runner/run-logs.js';

export interface GlobalOptions {
  project?: string;
  inventory?: string;
  stage?: string;
  yes?: boolean;
  hosts?: string[];
  roles?: string[];
  shard?: Shard;
  onlyFailed?: string;
  set: string[];
  setJson: string[];
  parallel: number;
  serial?: boolean;
  dryRun?: boolean;
  json?: string | boolean;
  knownHosts?: string;
  acceptNewHostKeys?: boolean;
  identity: string[];
  sshConfig?: string;
  sudoPasswordPrompt?: boolean;
  failFast?: boolean;
  verbose?: boolean;
  connectTimeout: number;
  /** run log folders kept under .ferry/logs (the oldest beyond are removed at the end of a run) */
  keepLogs: number;
  /** false with --no-color */
  color?: boolean;
}

const list = (v: string, prev: string[] | undefined) => [
  ...(prev ?? []),
  ...v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
];
const repeat = (v: string, prev: string[] | undefined) => [...(prev ?? []), v];
const positive = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`${name} expects a positive whole number, got "${v}"`);
  return n;
};

/** Flags every command understands (before or after the command name). */
export function addGlobalOptions(p: Program): Program {
  return p
    .option('--project <dir>', 'project folder (default: current folder)')
    .option('--inventory <file>', 'inventory file (default: <project>/inventory.yaml)')
    .option('--stage <name>', 'use inventories/<name>.yaml (default: `stage:` in ferry.yaml, else inventory.yaml)')
    .option('-y, --yes', 'a protected stage runs without asking (for CI; on a terminal ferry asks)')
    .option('--hosts <names>', 'select hosts by name (comma-separated, repeatable)', list)
    .option('--roles <roles>', 'select hosts having any of these roles (comma-separated, repeatable)', list)
    .option('--shard <i/n>', 'only the i-th of n stable, role-balanced slices of the selected hosts', (v: string) => {
      try {
        return parseShard(v);
      } catch (err) {
        throw new InvalidArgumentError((err as Error).message);
      }
    })
    .option('--only-failed <report>', 'only the hosts a previous --json report marks failed or unreachable')
    .option(
      '--set <key=value>',
      'override an attribute on every selected host, as the literal string given (repeatable; highest precedence)',
      repeat,
      [],
    )
    .option(
      '--set-json <key=json>',
      'like --set with a typed JSON value (3, true, {"a":1}); applied after --set',
      repeat,
      [],
    )
    .addOption(
      new Option('-j, --parallel <n>', 'hosts worked on at once').default(32).argParser(positive('--parallel')),
    )
    .option('--serial', 'one host at a time (same as -j 1)')
    .option('--fail-fast', 'stop starting new hosts after the first failure')
    .option('--dry-run', 'show exact commands per host; change nothing')
    .addOption(
      new Option(
        '--json [file]',
        'write the per-host, per-step report as JSON: to stdout (then all else goes to stderr), or to FILE ' +
          '(`--json=FILE`, or `--json FILE` when FILE has a / or ends in .json)',
      ).argParser((v: string) => (v === '-' || v === '' ? true : v)),
    )
    .option('--known-hosts <file>', 'known_hosts file to verify host keys against (default: ~/.ssh/known_hosts)')
    .option(
      '--accept-new-host-keys',
      'accept and record keys of hosts not yet in known_hosts (changed keys are always refused)',
    )
    .option('-i, --identity <file>', 'private key file (repeatable)', repeat, [])
    .option('--ssh-config <file>', 'ssh_config file (default: ~/.ssh/config)')
    .option('--sudo-password-prompt', 'ask once for the sudo password (or set FERRY_SUDO_PASSWORD)')
    .addOption(
      new Option('--connect-timeout <seconds>', 'SSH connect timeout')
        .default(15)
        .argParser(positive('--connect-timeout')),
    )
    .addOption(
      new Option('--keep-logs <n>', 'run log folders kept in .ferry/logs (older ones are removed after a run)')
        .default(DEFAULT_KEEP_LOGS)
        .argParser(positive('--keep-logs')),
    )
    .option('-v, --verbose', 'more detail: the exact commands of a --dry-run plan, channels per host, full errors')
    .option('--no-color', 'no colours in the output (as NO_COLOR=1)');
}
