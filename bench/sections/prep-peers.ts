import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Fleet } from '../../test/fleet/fleet.js';
import type { Measured } from '../lib/measure.js';
import { FERRY_BIN, PEERS_DIR } from '../lib/paths.js';
import type { SectionContext } from './context.js';
import { sshOptions } from './fanout-peers.js';

// The prep section's tools: ferry's 11-op task, the `ferry run -- true` baseline, the Ansible play.

export const HOSTS = 50;
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK0wmN/Cr3JXqmLW7u+g9pTh+wyqDHpSQEQQ5 deploy@ci';
// the running value: persisted, never changed (the fleet's hosts share this machine's kernel)
const SWAPPINESS = readFileSync('/proc/sys/vm/swappiness', 'utf8').trim();
const ANSIBLE = '/usr/bin/ansible-playbook';
/** ferry's rows: paired rounds of `run -- true` and the prep (a second or two each) */
export const PAIRED = 9;
/** no-op runs of the play: each takes ~5 min on 50 hosts of this 2-core machine (~150× ferry's) */
export const ANSIBLE_RUNS = 1;
/** the play's needs beyond ansible-core (fanout's): ansible.posix (sysctl, authorized_key), crontab for cron */
const PLAY_NEEDS: Record<string, string> = {
  '/usr/bin/ansible-playbook': 'ansible-core',
  '/usr/lib/python3/dist-packages/ansible_collections/ansible/posix/plugins/modules/sysctl.py': 'ansible',
  '/usr/bin/crontab': 'cron',
};

/** Bench setup, not the tests': install what the Ansible play needs (as root), or say why it is skipped. */
export function ansibleMissing(ctx: SectionContext): string | undefined {
  const missing = [...new Set(Object.entries(PLAY_NEEDS).flatMap(([f, p]) => (existsSync(f) ? [] : [p])))];
  if (missing.length === 0) return undefined;
  if (process.getuid?.() !== 0 || process.env.FERRY_NO_APT) return `needs Debian packages ${missing.join(' ')}`;
  ctx.log(`  installing ${missing.join(' ')} for the Ansible play`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const r = spawnSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], {
    env,
    stdio: 'pipe',
  });
  return r.status === 0 ? undefined : `apt-get install ${missing.join(' ')} failed: ${r.stderr.toString().slice(-300)}`;
}

/** 11 ops (12 Ansible tasks: user and authorized_key are one op here), as bench/peers/prep_noop.yml. */
export const TASK = `import { defineTask, prep, sh } from 'ferry';
export default defineTask({
  name: 'prep-bench',
  description: 'the prep section: 11 everyday ops on an app host',
  defaultSelection: { roles: ['app'] },
  async run(ctx) {
    const steps = await ctx.apply([
      prep.packages({ install: ['coreutils', 'openssh-server'] }),
      prep.user({ name: 'ferrytest', authorizedKeys: [${JSON.stringify(KEY)}] }),
      prep.directory({ path: '/srv/shop', mode: 0o755 }),
      prep.directory({ path: '/srv/shop/releases', mode: 0o750, owner: 'ferrytest' }),
      prep.file({ path: '/srv/shop/motd', content: 'motd v1\\n',
        onChange: prep.handler('mark', 'mark the change', sh('date >> /srv/shop/handler.log')) }),
      prep.template({ path: '/etc/nginx/conf.d/shop.conf', template: 'templates/shop.liquid' }),
      prep.symlink({ path: '/srv/shop/current', target: '/srv/shop/releases' }),
      prep.cron({ name: 'shop-cleanup', schedule: '17 3 * * *', user: 'ferrytest',
        command: ['/srv/shop/current/cleanup', '--keep', '30%'] }),
      prep.limits({ name: 'shop', entries: [{ domain: 'ferrytest', type: '-', item: 'nofile', value: 65536 }] }),
      prep.sysctl({ name: '60-shop', settings: { 'vm.swappiness': ${JSON.stringify(SWAPPINESS)} } }),
      prep.line({ path: '/etc/nginx/nginx.conf', line: 'worker_processes 2;', match: /^worker_processes\\s/ }),
    ]);
    return { changed: steps.filter((s) => s.status === 'changed').length };
  },
});
`;

export interface Tool {
  readonly name: string;
  readonly cmd: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** throws unless every host answered (and, for a no-op, changed nothing) */
  check(m: Measured): Promise<void>;
}

export interface JsonReport {
  hosts: Array<{ status: string; steps: Array<{ status: string }>; result?: { changed?: number } }>;
}

export async function tools(fleet: Fleet, work: string): Promise<{ ferry: Tool; baseline: Tool; ansible: Tool }> {
  const json = join(work, 'prep.json');
  const base = [FERRY_BIN, '--inventory', fleet.inventoryFile, '--known-hosts', fleet.knownHosts];
  const flags = ['-i', fleet.clientKey, '-j', String(HOSTS)];
  const inv = join(work, 'ansible-inventory.ini');
  const py = 'ansible_python_interpreter=/usr/bin/python3';
  await writeFile(
    inv,
    `[app]\n${fleet.hosts.map((h) => `${h.name} ansible_host=${h.address} ansible_port=${h.port} ${py}`).join('\n')}\n`,
  );
  const okHosts = (m: Measured) => Number(/(\d+) ok/.exec(m.stdout)?.[1] ?? 0);
  return {
    baseline: {
      name: 'ferry run -- true',
      cmd: process.execPath,
      args: [...base, ...flags, 'run', '--roles', 'app', '--', 'true'],
      check: async (m) => {
        if (okHosts(m) !== HOSTS) throw new Error(`ferry run: ${okHosts(m)}/${HOSTS} hosts ok`);
      },
    },
    ferry: {
      name: 'ferry prep-bench',
      cmd: process.execPath,
      args: [...base, ...flags, '--json', json, 'prep-bench'],
      check: async (m) => {
        const r = JSON.parse(await readFile(json, 'utf8')) as JsonReport;
        const ok = r.hosts.filter((h) => h.status === 'ok').length;
        if (ok !== HOSTS) throw new Error(`ferry prep-bench: ${ok}/${HOSTS} hosts ok:\n${m.stdout.slice(-2000)}`);
      },
    },
    ansible: {
      name: 'Ansible',
      cmd: ANSIBLE,
      args: [
        ...['-i', inv, join(PEERS_DIR, 'prep_noop.yml'), '-f', String(HOSTS), '-u', 'root'],
        ...['-e', JSON.stringify({ key: KEY, swappiness: SWAPPINESS })],
      ],
      env: {
        ANSIBLE_PRIVATE_KEY_FILE: fleet.clientKey,
        ANSIBLE_HOST_KEY_CHECKING: 'True',
        ANSIBLE_SSH_ARGS: sshOptions(fleet)
          .filter((a) => a !== fleet.clientKey && a !== '-i')
          .join(' '),
        // Ansible at its fastest: one SSH session per task (no file copy), no fact gathering (the play says so)
        ANSIBLE_PIPELINING: 'True',
        ANSIBLE_LOCAL_TEMP: join(work, 'ansible-tmp'),
        ANSIBLE_HOME: join(work, 'ansible-home'),
        ANSIBLE_NOCOLOR: '1',
        ANSIBLE_RETRY_FILES_ENABLED: 'False',
      },
      check: async (m) => {
        const ok = (m.stdout.match(/ unreachable=0 +failed=0 /g) ?? []).length;
        if (ok !== HOSTS) throw new Error(`ansible-playbook: ${ok}/${HOSTS} hosts ok:\n${m.stdout.slice(-2000)}`);
      },
    },
  };
}
