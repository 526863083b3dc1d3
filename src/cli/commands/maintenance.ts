import { Command as Program } from 'commander';
import type { GlobalOptions } from '../global-options.js';
import { makeRunEnv } from '../run-env.js';
import { finishRun } from '../report-output.js';
import { UsageError } from '../../errors/usage-error.js';
import { readLbStats, setMaintenanceMode } from '../../lifecycle/lb.js';
import { MAINTENANCE_BACKEND, maintenanceMode, type MaintenanceMode } from '../../ops/haproxy/maintenance.js';
import { lbBundle, lbInput } from './lb-context.js';

/** `ferry maintenance on|off <bundle>`: HAProxy answers the maintenance page for the bundle's backend, or stops. */
export function maintenanceCommand(setExit: (code: number) => void): Program {
  return new Program('maintenance')
    .description("HAProxy answers a maintenance page (503) for the bundle's backend, or stops: no reload")
    .argument('<mode>', 'on or off')
    .argument('<bundle>', 'bundle name')
    .action(async (mode: string, name: string, _o: unknown, self: Program) => {
      if (mode !== 'on' && mode !== 'off') throw new UsageError(`ferry maintenance: expected on or off, got '${mode}'`);
      const all = self.optsWithGlobals<GlobalOptions>();
      const env = makeRunEnv(all);
      const def = await lbBundle(env, name);
      const backend = def.haproxy.backend;
      const input = await lbInput(env, def);
      const read = await readLbStats(input);
      if (read.report.hosts.some((h) => h.status !== 'ok')) {
        setExit(await finishRun(read.report, all, env.logDir));
        return;
      }
      const missing = [...read.rows]
        .filter(([, rows]) => maintenanceMode(rows, backend) === undefined)
        .map(([lb]) => lb);
      if (missing.length)
        throw new UsageError(
          `haproxy on ${missing.join(', ')} has no maintenance switch for ${backend} (server ${MAINTENANCE_BACKEND}/${backend}):` +
            ' add it to the bundle\'s haproxy template and deploy (README "Load balancer and maintenance")',
        );
      const report = await setMaintenanceMode(input, backend, mode as MaintenanceMode);
      setExit(await finishRun(report, all, env.logDir));
    });
}
