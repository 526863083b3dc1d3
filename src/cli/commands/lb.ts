import { Command as Program, Option } from 'commander';
import type { GlobalOptions } from '../global-options.js';
import { makeRunEnv } from '../run-env.js';
import { finishRun } from '../report-output.js';
import { parseDuration } from '../../rolling/batches.js';
import { readLbStats, setLbState } from '../../lifecycle/lb.js';
import { backendStatuses, formatLbStatus, nagiosLine, type BackendStatus } from '../../ops/haproxy/lb-status.js';
import type { AdminState } from '../../ops/haproxy/runtime.js';
import { checkBackends, checkServers, lbBundle, lbInput } from './lb-context.js';

interface StatusFlags {
  backend?: string[];
  nagios?: boolean;
}

/** `ferry lb status <bundle>`: a table (or --json, or one Nagios line with its exit code). */
function statusCommand(setExit: (code: number) => void): Program {
  return new Program('status')
    .description('per backend on every LB: servers UP/total, state, sessions, 5xx share (check_haproxy style)')
    .argument('<bundle>', 'bundle name')
    .option('--backend <names...>', 'only these backends')
    .option('--nagios', 'print one Nagios/Icinga plugin line; exit 0 OK, 1 WARNING, 2 CRITICAL (3 UNKNOWN)')
    .action(async (name: string, o: StatusFlags, self: Program) => {
      const all = self.optsWithGlobals<GlobalOptions>();
      const env = makeRunEnv(all);
      try {
        const def = await lbBundle(env, name);
        const input = await lbInput(env, def);
        const { report, rows } = await readLbStats(input);
        if (o.backend) checkBackends(rows, o.backend);
        const only = o.backend ?? undefined;
        const statuses: BackendStatus[] = [...rows].flatMap(([lb, r]) => backendStatuses(lb, r, only));
        const failures = report.hosts
          .filter((h) => h.status !== 'ok')
          .map((h) => ({ lb: h.host, error: h.error?.message ?? h.status }));
        if (o.nagios) {
          const n = nagiosLine(statuses, failures);
          process.stdout.write(`${n.line}\n`);
          setExit(n.code);
          return;
        }
        if (all.json !== true) process.stdout.write(formatLbStatus(statuses, failures));
        const hosts = report.hosts.map((h) => ({
          ...h,
          result: { backends: statuses.filter((s) => s.lb === h.host) },
        }));
        setExit(await finishRun({ ...report, hosts }, { ...all, verbose: false }, env.logDir));
      } catch (err) {
        if (!o.nagios) throw err;
        // a plugin that cannot check says UNKNOWN (3), never a state it did not see
        process.stdout.write(`HAPROXY UNKNOWN - ${(err as Error).message.split('\n')[0]}\n`);
        setExit(3);
      }
    });
}

interface StateFlags {
  bundle?: string;
  backend?: string;
  timeout?: number;
  wait: boolean;
}

const WAITS: Readonly<Record<AdminState, string>> = {
  drain: 'then wait for their sessions to reach 0',
  ready: 'then wait for HAProxy to see them UP',
  maint: '',
};

/** `ferry lb drain|ready|maint HOST…`: the named hosts' servers on every LB of the bundle. */
function stateCommand(state: AdminState, setExit: (code: number) => void): Program {
  const c = new Program(state)
    .description(`set the hosts' servers to ${state} on every LB${WAITS[state] ? `, ${WAITS[state]}` : ''}`)
    .argument('<hosts...>', 'inventory host names (= haproxy server names)')
    .option('--bundle <name>', 'the bundle whose backend (default: the only bundle with an haproxy backend)')
    .option('--backend <name>', "the haproxy backend (default: the bundle's)");
  if (state !== 'maint')
    c.addOption(new Option('--timeout <duration>', 'how long to wait (default 30s)').argParser(parseDuration)).option(
      '--no-wait',
      'do not wait',
    );
  return c.action(async (hosts: string[], o: StateFlags, self: Program) => {
    const all = self.optsWithGlobals<GlobalOptions>();
    const env = makeRunEnv(all);
    const def = await lbBundle(env, o.bundle);
    const backend = o.backend ?? def.haproxy.backend;
    const input = await lbInput(env, def);
    const read = await readLbStats(input);
    if (read.report.hosts.some((h) => h.status !== 'ok')) {
      setExit(await finishRun(read.report, all, env.logDir));
      return;
    }
    checkServers(read.rows, backend, hosts);
    const waitMs = state !== 'maint' && o.wait !== false ? (o.timeout ?? 30_000) : undefined;
    const report = await setLbState(input, { backend, servers: hosts, state, waitMs });
    setExit(await finishRun(report, all, env.logDir));
  });
}

/** `ferry lb status|drain|ready|maint`. */
export function lbCommand(setExit: (code: number) => void): Program {
  const lb = new Program('lb').description('HAProxy: backend status (--nagios), drain / ready / maint named hosts');
  for (const c of [
    statusCommand(setExit),
    ...(['drain', 'ready', 'maint'] as const).map((s) => stateCommand(s, setExit)),
  ])
    lb.addCommand(c.exitOverride());
  return lb;
}
