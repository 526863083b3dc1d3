#!/usr/bin/env node
// Test fleet from the command line:
//   node dist/test/fleet/cli.js up [--hosts N | --lb N --app M | --roles-file F] [--dir D] [--port P]
//   node dist/test/fleet/cli.js down [--dir D]
//   node dist/test/fleet/cli.js status [--dir D]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { canRunFleet, readState, startFleet, stopFleetState } from './fleet.js';
import { mountNamespaceOf } from './processes.js';
import type { FleetHostSpec, FleetOptions } from './types.js';

const DEFAULT_DIR = '/tmp/ferry-fleet';

const USAGE = `usage:
  cli.js up [--hosts N | --lb N --app M | --roles-file FILE] [--dir DIR] [--port PORT]
  cli.js down [--dir DIR]
  cli.js status [--dir DIR]
DIR defaults to ${DEFAULT_DIR}. --roles-file is YAML: a list of {name, roles, attrs}, or
{hosts: [...], defaults: {...}, roles: {...}}.`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      hosts: { type: 'string' },
      lb: { type: 'string' },
      app: { type: 'string' },
      'roles-file': { type: 'string' },
      dir: { type: 'string', default: DEFAULT_DIR },
      port: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0];
  const dir = values.dir ?? DEFAULT_DIR;
  if (values.help || command === undefined) {
    console.log(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  if (command === 'down') return down(dir);
  if (command === 'status') return status(dir);
  if (command !== 'up') {
    console.error(`unknown command ${command}\n${USAGE}`);
    return 2;
  }
  const can = canRunFleet();
  if (!can.ok) {
    console.error(`cannot start a fleet: ${can.reason}`);
    return 1;
  }
  const options: FleetOptions = { ...hostsFrom(values), dir, keep: true, detached: true };
  if (values.port !== undefined) options.port = positiveInt(values.port, '--port');
  const started = Date.now();
  const fleet = await startFleet(options);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`fleet up: ${fleet.hosts.length} hosts in ${fleet.dir} (${seconds} s)`);
  for (const h of fleet.hosts.slice(0, 20))
    console.log(`  ${h.name.padEnd(8)} ${h.address}:${h.port}  [${h.roles.join(', ')}]  root ${h.root}`);
  if (fleet.hosts.length > 20) console.log(`  … ${fleet.hosts.length - 20} more in ${fleet.inventoryFile}`);
  const first = fleet.hosts[0]?.name ?? 'h1';
  console.log(`
inventory:    ${fleet.inventoryFile}
known_hosts:  ${fleet.knownHosts}
client key:   ${fleet.clientKey}
ssh:          ssh -F ${fleet.sshConfig} ${first}
ferry:        ferry --inventory ${fleet.inventoryFile} --known-hosts ${fleet.knownHosts} -i ${fleet.clientKey} run -- uptime
stop:         npm run fleet:down${dir === DEFAULT_DIR ? '' : ` -- --dir ${dir}`}`);
  return 0;
}

function hostsFrom(values: {
  hosts?: string | undefined;
  lb?: string | undefined;
  app?: string | undefined;
  'roles-file'?: string | undefined;
}): Pick<FleetOptions, 'hosts' | 'extraInventory'> {
  if (values['roles-file'] !== undefined) {
    const doc: unknown = parse(readFileSync(values['roles-file'], 'utf8'));
    if (Array.isArray(doc)) return { hosts: doc as FleetHostSpec[] };
    const obj = (doc ?? {}) as {
      hosts?: FleetHostSpec[];
      defaults?: Record<string, unknown>;
      roles?: Record<string, { attrs?: Record<string, unknown> }>;
    };
    if (!Array.isArray(obj.hosts))
      throw new Error(`${values['roles-file']}: expected a list of hosts or {hosts: [...]}`);
    const extraInventory: NonNullable<FleetOptions['extraInventory']> = {};
    if (obj.defaults) extraInventory.defaults = obj.defaults;
    if (obj.roles) extraInventory.roles = obj.roles;
    return { hosts: obj.hosts, extraInventory };
  }
  if (values.lb !== undefined || values.app !== undefined) {
    const lb = values.lb === undefined ? 0 : nonNegativeInt(values.lb, '--lb');
    const app = values.app === undefined ? 0 : nonNegativeInt(values.app, '--app');
    if (lb + app === 0) throw new Error('--lb and --app give no hosts');
    const hosts: FleetHostSpec[] = [
      ...Array.from({ length: lb }, (_, i) => ({ name: `lb${i + 1}`, roles: ['lb'] })),
      ...Array.from({ length: app }, (_, i) => ({ name: `web${i + 1}`, roles: ['app'] })),
    ];
    return { hosts };
  }
  return { hosts: values.hosts === undefined ? 5 : positiveInt(values.hosts, '--hosts') };
}

async function down(dir: string): Promise<number> {
  const state = readState(dir);
  if (state === undefined) {
    console.log(`no fleet in ${dir} (no fleet.json)`);
    return 0;
  }
  const started = Date.now();
  await stopFleetState(state);
  console.log(`fleet down: ${state.hosts.length} hosts stopped, ${dir} removed (${Date.now() - started} ms)`);
  return 0;
}

function status(dir: string): number {
  const state = readState(dir);
  if (state === undefined) {
    console.log(`no fleet in ${dir}`);
    return 1;
  }
  const up = state.hosts.filter((h) => mountNamespaceOf(h.pid) === h.mountNamespace);
  console.log(`${up.length}/${state.hosts.length} hosts up in ${dir} (started ${state.startedAt})`);
  return up.length === state.hosts.length ? 0 : 1;
}

function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} wants a positive integer, got ${text}`);
  return n;
}

function nonNegativeInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} wants an integer ≥ 0, got ${text}`);
  return n;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`fleet: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
