import type { Host } from '../inventory/types.js';
import type { HostReport } from '../runner/report.js';
import { runOnHosts, type HostWork, type RunHostsOptions } from '../runner/run-hosts.js';
import type { HostSession } from '../runner/host-session.js';
import { exceedsBudget, planBatches, type Amount } from './batches.js';

export interface RolloutOptions {
  readonly batch: Amount;
  readonly maxFail: Amount;
  readonly pauseMs: number;
}

/**
 * Runs once a batch is done (every host back in rotation), before the failure budget: may
 * amend the batch's reports and stop the rollout (the error-rate gate, src/rolling/error-gate.ts).
 */
export type AfterBatch = (
  batch: readonly Host[],
  reports: HostReport[],
  index: { readonly batch: number; readonly of: number },
) => Promise<{ readonly reports: HostReport[]; readonly stop: boolean }>;

/**
 * Batch by batch: each batch's hosts in parallel, then the failure budget; once failed hosts
 * exceed --max-fail the rollout stops and the hosts not reached are reported untouched.
 */
export async function rollout(
  hosts: readonly Host[],
  sessions: ReadonlyMap<string, HostSession>,
  run: RunHostsOptions,
  o: RolloutOptions,
  work: HostWork,
  /** the phase's word: `batch 1/3: web1, web2` */
  label = 'batch',
  afterBatch?: AfterBatch,
): Promise<HostReport[][]> {
  const batches = planBatches(hosts, o.batch);
  const phases: HostReport[][] = [];
  let failed = 0;
  for (let b = 0; b < batches.length; b++) {
    const batch = batches[b] ?? [];
    let reports = await runOnHosts(
      {
        ...run,
        hosts: batch,
        sessions,
        parallel: batch.length,
        phase: `${label} ${b + 1}/${batches.length}: ${batch.map((h) => h.name).join(', ')}`,
      },
      work,
    );
    const after = afterBatch ? await afterBatch(batch, reports, { batch: b + 1, of: batches.length }) : undefined;
    if (after) reports = after.reports;
    phases.push(reports);
    failed += reports.filter((r) => r.status === 'failed' || r.status === 'unreachable').length;
    if (after?.stop || exceedsBudget(failed, hosts.length, o.maxFail)) {
      const rest = batches.slice(b + 1).flat();
      if (rest.length) {
        phases.push(
          rest.map((h) => ({ host: h.name, status: 'untouched', durationMs: 0, channels: 0, steps: [], changes: 0 })),
        );
      }
      break;
    }
    if (o.pauseMs > 0 && b < batches.length - 1) await new Promise((r) => setTimeout(r, o.pauseMs));
  }
  return phases;
}
