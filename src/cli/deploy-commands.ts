import { Command as Program, Option } from 'commander';
import { buildBundle } from '../bundle/build.js';
import { deploy } from '../deploy/deploy.js';
import { rollback } from '../deploy/rollback.js';
import { formatReleases } from '../deploy/releases.js';
import { describeOwner } from '../deploy/lock-state.js';
import { listReleasesCommand } from '../ops/release/list.js';
import { unlockCommand } from '../ops/release/finish.js';
import { parseReleases, type HostReleases } from '../facts/release/releases.js';
import { runOnHosts } from '../runner/run-hosts.js';
import type { RunReport } from '../runner/report.js';
import { isBundleId } from '../bundle/bundle-id.js';
import { UsageError } from '../errors/usage-error.js';
import type { GlobalOptions } from './global-options.js';
import { makeRunEnv } from './run-env.js';
import { finishRun } from './report-output.js';
import { deployContext, workingDefinition, type LockFlags } from './bundle-context.js';
import { addRollingOptions, rollingSetup, type RollingFlags } from './rolling-options.js';
import { rollingActivation } from '../rolling/deploy-activation.js';
import { restart } from '../rolling/restart.js';
import { closeSessions } from '../deploy/sessions.js';
import { hasRole } from '../bundle/render.js';
import type { RollingSetup } from '../rolling/rolling-setup.js';

async function withSetup<T>(setup: RollingSetup | undefined, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } finally {
    if (setup) await closeSessions(setup.lbSessions);
  }
}

const num = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`${name} expects a number of seconds/minutes, got "${v}"`);
  return n;
};

function lockOptions(p: Program): Program {
  return p
    .addOption(new Option('--lock-wait <seconds>', 'wait this long for a held deploy lock').argParser(num('--lock-wait')))
    .addOption(new Option('--lock-ttl <minutes>', 'report locks older than this as stale (default 60)').argParser(num('--lock-ttl')));
}

const commandLine = () => ['ferry', ...process.argv.slice(2)].join(' ');

export function deployCommands(setExit: (code: number) => void): Program[] {
  const deployCmd = addRollingOptions(lockOptions(
    new Program('deploy')
      .description('build the bundle at a revision tag, stage it on every host, then switch atomically')
      .argument('<bundle>', 'bundle name (bundles/<name>/)')
      .requiredOption('--tag <tag>', 'git revision tag to deploy'),
  ), 'activate').action(async (name: string, o: LockFlags & RollingFlags & { tag: string }, self: Program) => {
    const all = self.optsWithGlobals<GlobalOptions>();
    const env = makeRunEnv(all);
    const bundle = await buildBundle({ projectDir: env.projectDir, name, tag: o.tag, onProgress: (m) => process.stderr.write(`build: ${m}\n`) });
    const def = bundle.manifest.definition;
    const hosts = await env.select({ roles: def.roles });
    const ctx = { ...deployContext(env, def, bundle, o), allHosts: (await env.inventory()).hosts };
    const setup = await rollingSetup(env, def, o);
    const run = await env.runOptions(hosts);
    const report = await withSetup(setup, () =>
      deploy({ ctx, hosts, run, command: commandLine(), ...(setup ? { activate: rollingActivation(setup) } : {}) }),
    );
    setExit(await finishRun(report, all, env.logDir));
  });

  const rollbackCmd = addRollingOptions(lockOptions(
    new Program('rollback')
      .description('switch every host back to its previous release (or --to a named one), like a deploy')
      .argument('<bundle>', 'bundle name')
      .option('--to <bundle-id>', 'a release that is still on every host'),
  ), 'switch back').action(async (name: string, o: LockFlags & RollingFlags & { to?: string }, self: Program) => {
    const all = self.optsWithGlobals<GlobalOptions>();
    if (o.to && !isBundleId(o.to)) throw new UsageError(`--to: "${o.to}" is not a bundle id (see ferry releases ${name})`);
    const env = makeRunEnv(all);
    const def = await workingDefinition(env.projectDir, name);
    const hosts = await env.select({ roles: def.roles });
    const ctx = { ...deployContext(env, def, undefined, o), allHosts: (await env.inventory()).hosts };
    const setup = await rollingSetup(env, def, o);
    const run = await env.runOptions(hosts);
    const report = await withSetup(setup, () =>
      rollback({ ctx, hosts, run, command: commandLine(), to: o.to, ...(setup ? { activate: rollingActivation(setup) } : {}) }),
    );
    setExit(await finishRun(report, all, env.logDir));
  });

  const releasesCmd = new Program('releases')
    .description('per host: current, previous and staged releases with dates; flags hosts that disagree')
    .argument('<bundle>', 'bundle name')
    .action(async (name: string, _o: unknown, self: Program) => {
      const all = self.optsWithGlobals<GlobalOptions>();
      const env = makeRunEnv(all);
      const def = await workingDefinition(env.projectDir, name);
      const hosts = await env.select({ roles: def.roles });
      const ctx = deployContext(env, def, undefined, {});
      const found = new Map<string, HostReleases>();
      const reports = await runOnHosts({ ...(await env.runOptions(hosts)), silent: true }, async (s) => {
        const res = await s.exec(listReleasesCommand(ctx.paths), { title: 'list releases', id: 'releases' });
        const r = parseReleases(res.stdout);
        found.set(s.host.name, r);
        return r;
      });
      const rows = reports.map((r) => ({ host: r.host, releases: found.get(r.host), error: r.error?.message }));
      const report: RunReport = { runId: env.runId, command: commandLine(), dryRun: false, startedAt: new Date().toISOString(), durationMs: 0, hosts: reports };
      if (all.json !== true) process.stdout.write(formatReleases(rows));
      setExit(await finishRun(report, { ...all, verbose: false }, env.logDir));
    });

  const unlockCmd = new Program('unlock')
    .description('remove a (stale) deploy lock, showing its owner first')
    .argument('<bundle>', 'bundle name')
    .action(async (name: string, _o: unknown, self: Program) => {
      const all = self.optsWithGlobals<GlobalOptions>();
      if (!all.hosts?.length && !all.roles?.length) throw new UsageError('ferry unlock: name the hosts (--hosts or --roles): locks are removed only where you say');
      const env = makeRunEnv(all);
      const def = await workingDefinition(env.projectDir, name);
      const hosts = await env.select();
      const ctx = deployContext(env, def, undefined, {});
      const report: RunReport = {
        runId: env.runId, command: commandLine(), dryRun: Boolean(all.dryRun), startedAt: new Date().toISOString(), durationMs: 0,
        hosts: await runOnHosts(await env.runOptions(hosts), async (s, ui) => {
          const r = parseReleases((await s.exec(listReleasesCommand(ctx.paths, 0), { title: 'read lock', id: 'read-lock' })).stdout);
          if (!r.lock) {
            ui.log('no lock held');
            return { removed: false };
          }
          ui.log(`lock held by ${describeOwner(r.lock)}`);
          if (all.dryRun) s.plan('unlock', 'remove lock', unlockCommand(ctx.paths));
          else await s.exec(unlockCommand(ctx.paths), { title: 'remove lock', id: 'unlock', status: 'changed' });
          return { removed: !all.dryRun, owner: r.lock };
        }),
      };
      setExit(await finishRun(report, all, env.logDir));
    });

  const restartCmd = addRollingOptions(lockOptions(
    new Program('restart')
      .description('rolling restart of the bundle\'s program behind HAProxy: drain, restart, health gate, ready')
      .argument('<bundle>', 'bundle name'),
  ), 'restart').action(async (name: string, o: LockFlags & RollingFlags, self: Program) => {
    const all = self.optsWithGlobals<GlobalOptions>();
    const env = makeRunEnv(all);
    const def = await workingDefinition(env.projectDir, name);
    const programRoles = [...new Set(def.configs.filter((c) => c.validate === 'supervisor').flatMap((c) => c.roles))];
    const hosts = (await env.select({ roles: programRoles.length ? programRoles : def.roles })).filter((h) => !programRoles.length || hasRole(h, programRoles));
    if (hosts.length === 0) throw new UsageError(`none of the selected hosts runs ${def.program} (roles ${programRoles.join(', ')})`);
    const ctx = { ...deployContext(env, def, undefined, o), allHosts: (await env.inventory()).hosts };
    const setup = await rollingSetup(env, def, o, { kind: 'count', value: 1 });
    if (!setup) throw new Error('unreachable: restart always has a batch');
    const run = await env.runOptions(hosts);
    const report = await withSetup(setup, () => restart({ ctx, hosts, run, command: commandLine(), setup }));
    setExit(await finishRun(report, all, env.logDir));
  });

  return [deployCmd, rollbackCmd, releasesCmd, unlockCmd, restartCmd];
}
