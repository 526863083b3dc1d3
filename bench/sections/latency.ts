import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { Fleet } from '../../test/fleet/fleet.js';
import { knownHostsName } from '../../test/fleet/known-hosts.js';
import { type DelayProxy, startDelayProxy } from '../lib/delay-proxy.js';
import { assertOk, measure } from '../lib/measure.js';
import { BARE_SSH2_BIN, FERRY_BIN, PEERS_DIR, SYSTEM_PYTHON } from '../lib/paths.js';
import { rowsFor, type Row } from '../lib/report.js';
import { median } from '../lib/stats.js';
import { withFleet } from '../lib/with-fleet.js';
import type { SectionContext } from './context.js';
import { builtArtifact, cachedRandom, makeBlobProject } from './push-project.js';

/** FERRY_BENCH_LATENCY=hosts,MB,rttMs (default 10,10,50) */
const [HOSTS = 10, MB = 10, RTT = 50] = (process.env.FERRY_BENCH_LATENCY ?? '10,10,50').split(',').map(Number);

type Tool = 'ferry' | 'Ansible' | 'Fabric';
type Kind = 'first' | 'again';
interface Run {
  wallS: number;
  /** median over hosts of the proxy's turns (the client's waits) */
  turns: number;
}

/** One set of proxies (one per host) and the files every tool needs to go through them. */
interface Path {
  rtt: number;
  proxies: DelayProxy[];
  inventory: string;
  knownHosts: string;
  hostsJson: string;
  ansibleInventory: string;
}

async function proxiedPath(fleet: Fleet, work: string, rtt: number): Promise<Path> {
  const proxies = await Promise.all(fleet.hosts.map((h) => startDelayProxy(h, rtt / 2)));
  const dir = join(work, `rtt-${rtt}`);
  mkdirSync(dir, { recursive: true });
  const byName = new Map(fleet.hosts.map((h, i) => [h.name, proxies[i] as DelayProxy]));
  // the same host keys, under the proxies' addresses
  const keys = readFileSync(fleet.knownHosts, 'utf8');
  const known = fleet.hosts
    .map((h) => {
      const line = keys.split('\n').find((l) => l.startsWith(`${knownHostsName(h.address, h.port)} `));
      const p = byName.get(h.name) as DelayProxy;
      return `${knownHostsName(p.address, p.port)} ${line?.split(' ').slice(1).join(' ')}\n`;
    })
    .join('');
  const inv = parse(readFileSync(fleet.inventoryFile, 'utf8')) as {
    hosts: Record<string, { address: string; port: number }>;
  };
  for (const [name, h] of Object.entries(inv.hosts)) {
    const p = byName.get(name) as DelayProxy;
    h.address = p.address;
    h.port = p.port;
  }
  const targets = fleet.hosts.map((h) => ({ name: h.name, ...(byName.get(h.name) as DelayProxy) }));
  const path: Path = {
    rtt,
    proxies,
    inventory: join(dir, 'inventory.yaml'),
    knownHosts: join(dir, 'known_hosts'),
    hostsJson: join(dir, 'hosts.json'),
    ansibleInventory: join(dir, 'ansible.ini'),
  };
  await writeFile(path.inventory, stringify(inv));
  await writeFile(path.knownHosts, known);
  await writeFile(
    path.hostsJson,
    JSON.stringify(targets.map((t) => ({ name: t.name, address: t.address, port: t.port }))),
  );
  const py = 'ansible_python_interpreter=/usr/bin/python3';
  await writeFile(
    path.ansibleInventory,
    `[app]\n${targets.map((t) => `${t.name} ansible_host=${t.address} ansible_port=${t.port} ${py}`).join('\n')}\n`,
  );
  return path;
}

/** The command line of each tool's deploy of release v1 through `path`. */
function command(tool: Tool, path: Path, fleet: Fleet, project: string, work: string) {
  const artifact = builtArtifact(project);
  if (tool === 'ferry')
    return {
      cmd: process.execPath,
      args: [
        ...[FERRY_BIN, '--project', project, '--inventory', path.inventory, '--known-hosts', path.knownHosts],
        ...['-i', fleet.clientKey, '-j', String(HOSTS), 'deploy', 'blob', '--tag', 'v1', '--roles', 'app'],
      ],
      env: {},
    };
  if (tool === 'Fabric')
    return {
      cmd: SYSTEM_PYTHON,
      args: [join(PEERS_DIR, 'fabric_deploy.py'), path.hostsJson, fleet.clientKey, path.knownHosts, artifact, 'v1'],
      env: {},
    };
  const cp = join(work, 'ansible-cp');
  return {
    cmd: '/usr/bin/ansible-playbook',
    args: [
      ...['-i', path.ansibleInventory, join(PEERS_DIR, 'deploy_tarball.yml'), '-f', String(HOSTS), '-u', 'root'],
      ...['-e', JSON.stringify({ artifact, release: 'v1' })],
    ],
    env: {
      ANSIBLE_PRIVATE_KEY_FILE: fleet.clientKey,
      ANSIBLE_HOST_KEY_CHECKING: 'True',
      // Ansible's own defaults (one multiplexed master per host, pipelining on), the fleet's keys
      ANSIBLE_SSH_ARGS: `-o ControlMaster=auto -o ControlPersist=60s -o IdentitiesOnly=yes -o UserKnownHostsFile=${path.knownHosts} -o StrictHostKeyChecking=yes -o BatchMode=yes`,
      ANSIBLE_SSH_CONTROL_PATH_DIR: cp,
      ANSIBLE_PIPELINING: 'True',
      ANSIBLE_LOCAL_TEMP: join(work, 'ansible-tmp'),
      ANSIBLE_HOME: join(work, 'ansible-home'),
      ANSIBLE_NOCOLOR: '1',
      ANSIBLE_RETRY_FILES_ENABLED: 'False',
    },
  };
}

const ROOTS: Record<Tool, string> = { ferry: 'srv/blob', Ansible: 'srv/blob-ansible', Fabric: 'srv/blob-fabric' };

async function once(tool: Tool, path: Path, fleet: Fleet, project: string, work: string): Promise<Run> {
  for (const p of path.proxies) p.reset();
  const c = command(tool, path, fleet, project, work);
  const m = assertOk(
    `${tool} deploy (RTT ${path.rtt} ms)`,
    await measure(c.cmd, c.args, { env: c.env, timeoutMs: 600_000 }),
  );
  const turns = median(path.proxies.map((p) => p.counts.turns));
  if (tool === 'Ansible') {
    // its ControlPersist masters outlive the play: end them, so the next run pays its handshakes again
    try {
      execFileSync('pkill', ['-f', join(work, 'ansible-cp')]);
    } catch {
      /* none left */
    }
  }
  return { wallS: m.wallS, turns };
}

/** ssh2's handshake alone (connect, authenticate, end) through the proxies: the turns ferry cannot avoid. */
async function handshakeTurns(path: Path, fleet: Fleet): Promise<number> {
  for (const p of path.proxies) p.reset();
  assertOk(
    'bare ssh2 connect',
    await measure(process.execPath, [BARE_SSH2_BIN, path.hostsJson, fleet.clientKey, '-'], { timeoutMs: 60_000 }),
  );
  return median(path.proxies.map((p) => p.counts.turns));
}

/**
 * A first deploy and an unchanged redeploy of a MB-sized tarball to HOSTS hosts behind a
 * userspace proxy adding RTT ms per round trip: ferry vs an Ansible playbook (copy + unarchive +
 * symlink) and a Fabric script, in seconds and in the round trips the proxies count.
 */
export async function latency(ctx: SectionContext): Promise<Row[]> {
  const { rows, add } = rowsFor('latency', ctx.rows);
  const work = await mkdtemp(join(tmpdir(), 'ferry-bench-latency-'));
  try {
    await withFleet({ hosts: HOSTS }, async (fleet) => {
      const project = await makeBlobProject(readFileSync(fleet.inventoryFile, 'utf8'), await cachedRandom(MB * 1e6));
      const build = await measure(
        process.execPath,
        [FERRY_BIN, '--project', project, 'bundle', 'build', 'blob', '--tag', 'v1'],
        { timeoutMs: 300_000 },
      );
      assertOk('ferry bundle build blob', build);
      const path = await proxiedPath(fleet, work, RTT);
      const runs = new Map<string, Run[]>();
      const push = (k: string, r: Run) => runs.set(k, [...(runs.get(k) ?? []), r]);
      const tools: Tool[] = ['ferry', 'Ansible', 'Fabric'];
      const wipe = (tool: Tool) =>
        Promise.all(fleet.hosts.map((h) => rm(join(h.root, ROOTS[tool]), { recursive: true, force: true })));
      for (let i = 0; i < ctx.runs; i++) {
        for (const tool of tools) {
          await wipe(tool);
          const first = await once(tool, path, fleet, project, work);
          const again = await once(tool, path, fleet, project, work);
          push(`${tool} first`, first);
          push(`${tool} again`, again);
          ctx.log(
            `  ${tool.padEnd(7)} first ${first.wallS.toFixed(2)} s (${first.turns} turns), ` +
              `again ${again.wallS.toFixed(2)} s (${again.turns} turns)`,
          );
        }
      }
      const hs = await handshakeTurns(path, fleet);
      ctx.log(`  ssh2 handshake (connect, authenticate, end): ${hs} turns`);
      const wall = (t: Tool, k: Kind) => median((runs.get(`${t} ${k}`) ?? []).map((r) => r.wallS));
      const turns = (t: Tool, k: Kind) => median((runs.get(`${t} ${k}`) ?? []).map((r) => r.turns));
      const label: Record<Kind, string> = {
        first: `first deploy, ${MB} MB to ${HOSTS} hosts at ${RTT} ms RTT`,
        again: `unchanged redeploy at ${RTT} ms RTT`,
      };
      for (const k of ['first', 'again'] as const) {
        for (const peer of ['Ansible', 'Fabric'] as const) {
          add({
            what: `${label[k]}: wall`,
            unit: 's',
            ferry: wall('ferry', k),
            peer: wall(peer, k),
            peerName: peer,
            target: '< 1×',
            pass: wall('ferry', k) < wall(peer, k),
          });
        }
        for (const peer of ['Ansible', 'Fabric'] as const) {
          add({
            what: `${label[k]}: round trips per host (proxy turns, median of hosts)`,
            unit: '',
            ferry: turns('ferry', k),
            peer: turns(peer, k),
            peerName: peer,
          });
        }
      }
      const after = turns('ferry', 'again') - hs;
      add({
        what: 'unchanged redeploy: round trips per host after the ssh2 handshake',
        unit: '',
        ferry: after,
        peer: hs,
        peerName: 'the handshake itself',
        ratio: null,
        target: '≤ 2',
        pass: after <= 2,
      });
      await rm(project, { recursive: true, force: true });
      await Promise.all(path.proxies.map((x) => x.close()));
    });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return rows;
}
