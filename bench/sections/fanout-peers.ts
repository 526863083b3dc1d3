import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Fleet } from '../../test/fleet/fleet.js';
import { BARE_SSH2_BIN, FERRY_BIN, PEERS_DIR, SYSTEM_PYTHON } from '../lib/paths.js';

/** One tool of the fan-out comparison: how to run `uptime` on every host of the fleet. */
export interface FanoutTool {
  readonly name: string;
  /** why it cannot run here, or undefined */
  readonly missing?: string;
  readonly cmd: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** hosts that answered, read from the tool's output */
  okHosts(stdout: string, stderr: string): number;
}

const loadAverages = (s: string) => (s.match(/load average/g) ?? []).length;

/** OpenSSH options every system-ssh peer uses: the fleet key, verified host keys, no multiplexing. */
export function sshOptions(fleet: Fleet): string[] {
  return [
    '-F',
    '/dev/null',
    '-i',
    fleet.clientKey,
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    `UserKnownHostsFile=${fleet.knownHosts}`,
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    'ControlMaster=no',
  ];
}

/** Writes the host lists each tool wants into `work`; returns the tools in a fixed order. */
export async function fanoutTools(fleet: Fleet, work: string, parallel: number): Promise<FanoutTool[]> {
  const targets = fleet.hosts.map((h) => ({ name: h.name, address: h.address, port: h.port }));
  const hostsJson = join(work, 'hosts.json');
  const psshHosts = join(work, 'pssh-hosts');
  const ansibleInv = join(work, 'ansible-inventory.ini');
  await writeFile(hostsJson, JSON.stringify(targets));
  await writeFile(psshHosts, `${targets.map((t) => `root@${t.address}:${t.port}`).join('\n')}\n`);
  await writeFile(
    ansibleInv,
    `[app]\n${targets.map((t) => `${t.name} ansible_host=${t.address} ansible_port=${t.port}`).join('\n')}\n`,
  );
  const missing = (bin: string, pkg: string) =>
    existsSync(bin) ? undefined : `${bin} not found (install Debian package ${pkg})`;
  const fabricOk = existsSync(SYSTEM_PYTHON) ? undefined : `${SYSTEM_PYTHON} not found (Debian python3-fabric)`;
  return [
    {
      name: 'ferry',
      cmd: process.execPath,
      args: [
        FERRY_BIN,
        '--inventory',
        fleet.inventoryFile,
        '--known-hosts',
        fleet.knownHosts,
        '-i',
        fleet.clientKey,
        '-j',
        String(parallel),
        'run',
        '--roles',
        'app',
        '--',
        'uptime',
      ],
      okHosts: (out) => Number(/host\(s\): (\d+) ok/.exec(out)?.[1] ?? 0), // the summary line, not a progress count
    },
    {
      name: 'bare ssh2',
      cmd: process.execPath,
      args: [BARE_SSH2_BIN, hostsJson, fleet.clientKey, 'uptime'],
      okHosts: loadAverages,
    },
    {
      name: 'parallel-ssh',
      missing: missing('/usr/bin/parallel-ssh', 'pssh'),
      cmd: '/usr/bin/parallel-ssh',
      args: ['-p', String(parallel), '-t', '120', '-h', psshHosts, '-x', sshOptions(fleet).join(' '), 'uptime'],
      okHosts: (out) => (out.match(/\[SUCCESS\]/g) ?? []).length,
    },
    {
      name: 'Fabric 2',
      missing: fabricOk,
      cmd: SYSTEM_PYTHON,
      args: [join(PEERS_DIR, 'fabric_uptime.py'), hostsJson, fleet.clientKey, fleet.knownHosts],
      okHosts: loadAverages,
    },
    {
      name: 'Ansible',
      missing: missing('/usr/bin/ansible', 'ansible-core'),
      cmd: '/usr/bin/ansible',
      args: [
        '-i',
        ansibleInv,
        'app',
        '-m',
        'raw',
        '-a',
        'uptime',
        '-f',
        String(parallel),
        '-u',
        'root',
        '--private-key',
        fleet.clientKey,
      ],
      env: {
        ANSIBLE_HOST_KEY_CHECKING: 'True',
        ANSIBLE_SSH_ARGS: sshOptions(fleet)
          .filter((a) => a !== fleet.clientKey && a !== '-i')
          .join(' '),
        ANSIBLE_LOCAL_TEMP: join(work, 'ansible-tmp'),
        ANSIBLE_HOME: join(work, 'ansible-home'),
        ANSIBLE_NOCOLOR: '1',
        ANSIBLE_RETRY_FILES_ENABLED: 'False',
      },
      okHosts: (out) => (out.match(/\| CHANGED \|/g) ?? []).length,
    },
  ];
}
