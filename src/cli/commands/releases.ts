import { Command as Program } from 'commander';
import type { GlobalOptions } from '../global-options.js';
import { makeRunEnv } from '../run-env.js';
import { finishRun } from '../report-output.js';
import { formatReleases, releasesFact, type HostReleases } from '../../ops/release/list.js';
import { runOnHosts } from '../../runner/run-hosts.js';
import type { RunReport } from '../../runner/report.js';
import { deployContext, workingDefinition } from '../bundle-context.js';
import { commandLine } from './shared.js';

/** `ferry releases <bundle>`: per host current, previous, staged; flags hosts that disagree. */
export function releasesCommand(setExit: (code: number) => void): Program {
  return new Program('releases')
    .description('per host: current, previous and staged releases with dates; flags hosts that disagree')
    .argument('<bundle>', 'bundle name')
    .action(async (name: string, _o: unknown, self: Program) => {
      const all = self.optsWithGlobals<GlobalOptions>();
      const env = makeRunEnv(all);
      const def = await workingDefinition(env.projectDir, name);
      const hosts = await env.select({ roles: def.roles });
      const ctx = deployContext(env, def, undefined, {});
      const fact = releasesFact(ctx.paths);
      const found = new Map<string, HostReleases>();
      const reports = await runOnHosts({ ...(await env.runOptions(hosts)), silent: true }, async (s) => {
        const res = await s.exec(fact.command, { title: 'list releases', id: 'releases' });
        const r = fact.parse(res.stdout);
        found.set(s.host.name, r);
        return r;
      });
      const rows = reports.map((r) => ({ host: r.host, releases: found.get(r.host), error: r.error?.message }));
      const report: RunReport = { runId: env.runId, command: commandLine(), dryRun: false, startedAt: new Date().toISOString(), durationMs: 0, hosts: reports };
      if (all.json !== true) process.stdout.write(formatReleases(rows));
      setExit(await finishRun(report, { ...all, verbose: false }, env.logDir));
    });
}
