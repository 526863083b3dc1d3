import { dirname } from 'node:path';
import { Command as Program, InvalidArgumentError } from 'commander';
import type { BundleDefinition } from '../../bundle/definition.js';
import { FailedError } from '../../errors/failed-error.js';
import { UsageError } from '../../errors/usage-error.js';
import type { Host } from '../../inventory/types.js';
import { parseProgramLogs, readLogConfigCommand, tailLogsCommand, type LogFile } from '../../ops/logs.js';
import { releasePaths } from '../../ops/release/paths.js';
import { runOnHosts } from '../../runner/run-hosts.js';
import { workingDefinition } from '../bundle-context.js';
import type { GlobalOptions } from '../global-options.js';
import { catchInterrupt } from '../interrupt.js';
import { makeRunEnv } from '../run-env.js';
import { reportFailures } from './operate.js';

type Config = BundleDefinition['configs'][number];

/** The bundle's supervisor program configs (validated as supervisor, or rendered under supervisor/). */
export function supervisorConfigs(def: BundleDefinition): Config[] {
  const configs = def.configs.filter((c) => c.validate === 'supervisor' || c.target.startsWith('supervisor/'));
  if (configs.length === 0)
    throw new UsageError(
      `bundle "${def.name}" has no supervisor program: none of its configs is a supervisor config ` +
        `(validate: 'supervisor' in bundles/${def.name}/bundle.ts), so it has no program logs to show`,
    );
  return configs;
}

const count = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`-n expects a whole number, got "${v}"`);
  return n;
};

interface LogsOptions {
  follow?: boolean;
  lines: number;
  grep?: string;
}

/** `ferry logs BUNDLE [-f] [--grep RE] [-n N]`: the program's stdout/stderr logs of every selected host, merged. */
export function logsCommand(setExit: (code: number) => void): Program {
  return new Program('logs')
    .description(
      "the bundle's program logs (supervisor's stdout/stderr files) from every selected host, [host] prefixed",
    )
    .argument('<bundle>', 'bundle name')
    .option('-f, --follow', 'keep printing lines as they are written, until Ctrl-C')
    .option('-n, --lines <n>', 'lines of each log to print first', count, 50)
    .option('--grep <regex>', 'only lines matching this extended regular expression (grep -E, run on the host)')
    .action(async (name: string, opts: LogsOptions, self: Program) => {
      const all = self.optsWithGlobals<GlobalOptions>();
      const env = makeRunEnv(all);
      const def = await workingDefinition(env.projectDir, name);
      const configs = supervisorConfigs(def);
      const forHost = (h: Host) => configs.filter((c) => c.roles.some((r) => h.roles.includes(r)));
      const hosts = (await env.select({ roles: [...new Set(configs.flatMap((c) => c.roles))] })).filter(
        (h) => forHost(h).length > 0,
      );
      if (hosts.length === 0) {
        const roles = configs.flatMap((c) => c.roles).join(', ');
        throw new UsageError(
          `no selected host runs ${def.name}'s program (its supervisor config is for roles ${roles})`,
        );
      }
      const current = releasePaths(def.deployPath).current;
      const interrupt = catchInterrupt();
      try {
        const run = { ...(await env.runOptions(hosts)), silent: true, signal: interrupt.signal };
        const reports = await runOnHosts(run, async (s, ui) => {
          const files: LogFile[] = [];
          for (const c of forHost(s.host)) {
            const file = `${current}/config/${c.target}`;
            const res = await s.exec(readLogConfigCommand(file), { title: `read ${file}` });
            const logs = parseProgramLogs(res.stdout, def.program, file, dirname(c.link ?? file));
            for (const f of [logs.stdout, logs.stderr]) if (f) files.push(f);
          }
          if (files.length === 0)
            throw new FailedError(`[program:${def.program}] writes no log file (both are NONE)`, s.host.name);
          const tail = tailLogsCommand({ files, lines: opts.lines, follow: Boolean(opts.follow), grep: opts.grep });
          await s.exec(tail, { title: 'tail logs', onLine: ui.line, backpressure: ui.behind, keep: 64 * 1024 });
        });
        setExit(reportFailures(reports));
      } finally {
        interrupt.dispose();
        await env.close();
      }
    });
}
