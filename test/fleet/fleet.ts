import { spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { quote } from '../../src/shell/quote.js';
import { claimAddressBlock, type AddressBlock } from './address-block.js';
import { waitForBanner } from './banner.js';
import { canRunFleet, hasSetpriv, installedSshdVersion, SSHD } from './can-run.js';
import { fleetParentDir } from './fleet-parent.js';
import { renderInventory } from './inventory.js';
import { generateKeys, publicKeyOf } from './keys.js';
import { writeKnownHosts } from './known-hosts.js';
import { killAll, killAllSync, mountNamespaceOf, type HostNamespace } from './processes.js';
import { runSsh, sshArgsFor } from './ssh-client.js';
import { renderSshConfig } from './ssh-config.js';
import { renderSshdConfig } from './sshd-config.js';
import { readState, writeState, type FleetState } from './state.js';
import { namespacesOf, reapStaleFleets, stopFleetState } from './stop.js';
import { ensureTestUser, FERRYNOSUDO_USER, FERRYTEST_USER } from './test-user.js';
import type { Fleet, FleetHost, FleetHostSpec, FleetOptions } from './types.js';
import { buildTemplate, ensureMountPoints, makeStashes, mountScript, seedRoots, viewsOf } from './views.js';

export type { Fleet, FleetHost, FleetHostSpec, FleetOptions, ExecOptions, ExecResult } from './types.js';
export { canRunFleet } from './can-run.js';
export { FERRYNOSUDO_USER, FERRYTEST_USER, FERRYTEST_PASSWORD } from './test-user.js';
export { DEFAULT_VIEWS } from './views.js';
export { hashKnownHostsName, knownHostsName, knownHostsText, writeHashedKnownHosts } from './known-hosts.js';

export const DEFAULT_PORT = 2222;

interface Planned {
  spec: Required<Omit<FleetHostSpec, 'sshd'>> & FleetHostSpec;
  address: string;
  home: string;
  root: string;
  config: string;
  hostKey: string;
  log: string;
}

/** Start a fleet of sshd hosts on loopback, each in its own mount namespace (see README in this folder). */
export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const can = canRunFleet();
  if (!can.ok) throw new Error(`cannot run a fleet: ${can.reason}`);
  const phase = phaseLogger();
  const specs = hostSpecs(options.hosts);
  await reapStaleFleets();
  const port = options.port ?? DEFAULT_PORT;
  const dir = await prepareDir(options.dir);
  const keep = options.keep ?? false;
  const views = viewsOf(options.extraViews);
  let block: AddressBlock | undefined;
  const children: ChildProcess[] = [];
  try {
    block = claimAddressBlock(specs.length);
    const claimed = block;
    const planned: Planned[] = specs.map((spec, i) => {
      const home = join(dir, 'hosts', spec.name);
      return {
        spec,
        address: claimed.address(i),
        home,
        root: join(home, 'root'),
        config: join(home, 'sshd_config'),
        hostKey: join(home, 'ssh_host_ed25519_key'),
        log: join(home, 'sshd.log'),
      };
    });
    for (const p of planned) mkdirSync(p.home, { recursive: true, mode: 0o755 });
    const startedAt = new Date().toISOString();
    const detached = options.detached ?? false;
    // a state without hosts yet: if this process dies while starting, the next start reaps the dir
    writeState({ dir, block: claimed.block, port, hosts: [], startedBy: process.pid, detached, startedAt });

    const clientKey = join(dir, 'id_ed25519');
    const knownHosts = join(dir, 'known_hosts');
    await Promise.all([
      ensureTestUser(),
      generateKeys([
        { path: clientKey, comment: 'ferry-fleet-client' },
        ...planned.map((p) => ({ path: p.hostKey, comment: `ferry-fleet-${p.spec.name}` })),
      ]),
      (async () => {
        const template = await buildTemplate(dir, views);
        await seedRoots(
          template,
          planned.map((p) => p.root),
        );
        rmSync(template, { recursive: true, force: true });
      })(),
    ]);
    phase('keys, user, views seeded');
    // the control machine's node goes first on the hosts' PATH (sshd-config.ts) when it is not
    // the system one; the hosts must see it where it is, even inside a view (a repo under /tmp)
    const nodeDir = dirname(process.execPath) === '/usr/bin' ? undefined : dirname(process.execPath);
    const exposed = nodeDir ? [dir, nodeDir] : [dir];
    makeStashes(
      planned.map((p) => p.root),
      views,
      exposed,
    );
    ensureMountPoints(views);

    const clientPub = await publicKeyOf(`${clientKey}.pub`);
    const authorized = join(dir, 'authorized_keys');
    mkdirSync(authorized, { mode: 0o755 });
    for (const user of ['root', FERRYTEST_USER, FERRYNOSUDO_USER])
      writeFileSync(join(authorized, user), `${clientPub} ferry-fleet\n`, { mode: 0o644 });

    const [major, minor] = installedSshdVersion();
    const penalties = major > 9 || (major === 9 && minor >= 8);
    const hostKeys = await Promise.all(planned.map((p) => publicKeyOf(`${p.hostKey}.pub`)));
    planned.forEach((p) => {
      writeFileSync(
        p.config,
        renderSshdConfig({
          address: p.address,
          port,
          hostKey: p.hostKey,
          pidFile: join(p.home, 'sshd.pid'),
          authorizedKeys: join(authorized, '%u'),
          perSourcePenalties: penalties,
          nodeDir,
          knobs: p.spec.sshd,
        }),
      );
    });
    writeKnownHosts(
      knownHosts,
      planned.map((p, i) => ({ address: p.address, port, publicKey: hostKeys[i] ?? '' })),
    );
    const sshConfig = join(dir, 'ssh_config');
    writeFileSync(
      sshConfig,
      renderSshConfig(
        planned.map((p) => ({ name: p.spec.name, address: p.address, port })),
        clientKey,
        knownHosts,
      ),
    );
    const inventoryFile = join(dir, 'inventory.yaml');
    writeFileSync(
      inventoryFile,
      renderInventory(
        planned.map((p) => ({ name: p.spec.name, address: p.address, port, roles: p.spec.roles, attrs: p.spec.attrs })),
        options.extraInventory,
      ),
    );

    // start every sshd, then wait for every banner
    const setpriv = !detached && hasSetpriv();
    const exits = new Map<number, string>();
    for (const p of planned) {
      const script = `ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null; ${mountScript(p.root, views, exposed)} && exec ${SSHD} -D -e -f ${quote(p.config)}`;
      const argv = ['unshare', '-m', '--propagation', 'private', 'sh', '-c', script];
      if (setpriv) argv.unshift('setpriv', '--pdeathsig', 'KILL');
      const log = openSync(p.log, 'a');
      const [command = 'unshare', ...args] = argv;
      const child = spawn(command, args, { stdio: ['ignore', log, log], detached });
      closeSync(log);
      children.push(child);
      child.on('error', (error) => child.pid !== undefined && exits.set(child.pid, error.message));
      child.on(
        'exit',
        (code, signal) => child.pid !== undefined && exits.set(child.pid, `exited with ${signal ?? code}`),
      );
      if (detached) child.unref();
    }
    phase(`${planned.length} sshd spawned`);
    const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000 + 100 * planned.length);
    const hosts: FleetHost[] = await Promise.all(
      planned.map(async (p, i): Promise<FleetHost> => {
        const child = children[i];
        const pid = child?.pid;
        if (child === undefined || pid === undefined)
          throw new Error(`${p.spec.name}: sshd did not start: ${readLog(p.log)}`);
        await waitForBanner(p.address, port, deadline, () => {
          const exit = exits.get(pid);
          return exit === undefined ? undefined : `${p.spec.name}: sshd ${exit}: ${readLog(p.log)}`;
        });
        const mountNamespace = mountNamespaceOf(pid);
        if (mountNamespace === undefined || mountNamespace === mountNamespaceOf(process.pid)) {
          throw new Error(`${p.spec.name}: sshd (pid ${pid}) is not in a private mount namespace`);
        }
        return {
          name: p.spec.name,
          address: p.address,
          port,
          roles: p.spec.roles,
          attrs: p.spec.attrs,
          root: p.root,
          pid,
          mountNamespace,
        };
      }),
    );

    phase('all banners');
    const state: FleetState = { dir, block: claimed.block, port, hosts, startedBy: process.pid, detached, startedAt };
    writeState(state);
    return makeFleet(state, { clientKey, knownHosts, inventoryFile, sshConfig, keep, block: claimed, detached });
  } catch (error) {
    // leave nothing behind: kill what started (they are our children, found by pid)
    for (const child of children) if (child.pid !== undefined && child.exitCode === null) child.kill('SIGKILL');
    block?.release();
    if (!keep) rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

interface FleetExtras {
  clientKey: string;
  knownHosts: string;
  inventoryFile: string;
  sshConfig: string;
  keep: boolean;
  block: AddressBlock;
  detached: boolean;
}

function makeFleet(state: FleetState, extras: FleetExtras): Fleet {
  const namespaces = namespacesOf(state);
  const pids = state.hosts.map((h) => h.pid);
  const byName = new Map(state.hosts.map((h) => [h.name, h]));
  const entry: LiveFleet = {
    namespaces,
    pids,
    dir: state.dir,
    keep: extras.keep,
    release: () => extras.block.release(),
  };
  if (!extras.detached) register(entry);
  let stopping: Promise<void> | undefined;
  return {
    dir: state.dir,
    hosts: state.hosts,
    clientKey: extras.clientKey,
    knownHosts: extras.knownHosts,
    inventoryFile: extras.inventoryFile,
    sshConfig: extras.sshConfig,
    sshArgs: (host, user) => sshArgsFor(host, extras.clientKey, extras.knownHosts, user),
    exec: (host, script, options = {}) =>
      runSsh(sshArgsFor(host, extras.clientKey, extras.knownHosts, options.user), script, options),
    host(name) {
      const host = byName.get(name);
      if (host === undefined) throw new Error(`no fleet host ${name} (have ${[...byName.keys()].join(', ')})`);
      return host;
    },
    stop() {
      stopping ??= (async () => {
        try {
          await killAll(namespaces, pids);
        } finally {
          live.delete(entry);
          extras.block.release();
          if (!extras.keep) await rm(state.dir, { recursive: true, force: true });
        }
      })();
      return stopping;
    },
  };
}

export { readState } from './state.js';
export type { FleetState } from './state.js';
export { stopFleetState, reapStaleFleets } from './stop.js';

function hostSpecs(hosts: FleetOptions['hosts']): Array<Required<Omit<FleetHostSpec, 'sshd'>> & FleetHostSpec> {
  const specs: FleetHostSpec[] =
    typeof hosts === 'number'
      ? Array.from({ length: hosts }, (_, i) => ({ name: `h${i + 1}`, roles: ['app'] }))
      : hosts;
  if (specs.length === 0) throw new Error('a fleet needs at least one host');
  const seen = new Set<string>();
  return specs.map((s) => {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(s.name)) throw new Error(`bad host name ${JSON.stringify(s.name)}`);
    if (seen.has(s.name)) throw new Error(`duplicate host name ${s.name}`);
    seen.add(s.name);
    return { name: s.name, roles: s.roles ?? [], attrs: s.attrs ?? {}, ...(s.sshd ? { sshd: s.sshd } : {}) };
  });
}

async function prepareDir(requested: string | undefined): Promise<string> {
  let dir: string;
  if (requested === undefined) {
    dir = mkdtempSync(join(fleetParentDir(), 'ferry-fleet-'));
  } else {
    dir = resolve(requested);
    if (dir === '/' || dir.split('/').length < 3) throw new Error(`refusing fleet dir ${dir}: too close to /`);
    if (existsSync(dir) && readdirSync(dir).length > 0) {
      const previous = readState(dir);
      if (previous === undefined) throw new Error(`fleet dir ${dir} is not empty and holds no fleet.json`);
      if (previous.hosts.some((h) => mountNamespaceOf(h.pid) === h.mountNamespace)) {
        throw new Error(
          `a fleet is already running in ${dir} (stop it first: node dist/test/fleet/cli.js down --dir ${dir})`,
        );
      }
      // a dead fleet: kill what its sessions may have left, remove it
      await stopFleetState(previous);
    }
    mkdirSync(dir, { recursive: true });
  }
  // sshd reads ferrytest's authorized_keys as ferrytest: the dir must be traversable
  chmodSync(dir, 0o755);
  return dir;
}

/** FERRY_FLEET_DEBUG=1 prints how long each start phase took (stderr). */
function phaseLogger(): (name: string) => void {
  const t0 = Date.now();
  let last = t0;
  return (name) => {
    if (!process.env.FERRY_FLEET_DEBUG) return;
    const now = Date.now();
    process.stderr.write(`fleet: ${name} +${now - last} ms (${now - t0} ms)\n`);
    last = now;
  };
}

function readLog(file: string): string {
  return readFileOr(file, '').trim().split('\n').slice(-10).join('\n') || '(empty sshd log)';
}

function readFileOr(file: string, fallback: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

// ---- crash safety: kill every live fleet when this process exits ----

interface LiveFleet {
  namespaces: HostNamespace[];
  pids: number[];
  dir: string;
  keep: boolean;
  release: () => void;
}

const live = new Set<LiveFleet>();
let handlerInstalled = false;

function register(entry: LiveFleet): void {
  live.add(entry);
  if (handlerInstalled) return;
  handlerInstalled = true;
  process.on('exit', stopAllSync);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      stopAllSync();
      // alone: behave as if we were never there (die by the signal); otherwise the other listeners decide
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
}

function stopAllSync(): void {
  for (const fleet of live) {
    try {
      killAllSync(fleet.namespaces, fleet.pids);
      fleet.release();
      if (!fleet.keep) rmSync(fleet.dir, { recursive: true, force: true });
    } catch {
      // best effort while exiting
    }
  }
  live.clear();
}
