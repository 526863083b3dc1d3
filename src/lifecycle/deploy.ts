import type { RunReport } from '../runner/report.js';
import type { RollingSetup } from '../rolling/rolling-setup.js';
import { runLifecycle, type LifecycleInput } from './flow.js';
import { stageHost } from './stage-host.js';
import { activation } from './activate.js';
import { historyEntry } from './history-entry.js';
import { splitStart, type SplitPhase } from './split-phase.js';

export interface DeployInput extends LifecycleInput {
  /** batch by batch behind HAProxy (--batch), or a plain activation (every host at once, gated); default plain */
  readonly rolling?: RollingSetup | undefined;
  /** --phase stage (stage only) or --phase activate (verify staged, then activate): see split-phase.ts */
  readonly split?: SplitPhase | undefined;
}

/**
 * Stage on every host in parallel under its lock, nothing switched; only when every host staged,
 * activate (DESIGN.md "Deploy phases"). A new release is pruned for only when every host is on it.
 * Every history line names the release deployed (`to`); its result says whether the host runs it.
 */
export function deploy(i: DeployInput): Promise<RunReport> {
  const { ctx } = i;
  const bundle = ctx.bundle;
  if (!bundle) throw new Error('deploy needs a built bundle');
  const activate = activation(i.rolling);
  const relay = ctx.relay;
  return runLifecycle(i, {
    action: 'deploy',
    start: i.split ? splitStart(i.split, ctx) : { phase: `stage ${bundle.id}`, run: (h) => stageHost(h, ctx) },
    phases: [...(relay ? [relay.phase()] : []), ...(i.split?.phase === 'stage' ? [] : [activate])],
    end: ({ host, plan, from, report, startFailed, anyFailed }) => {
      const line = (result: 'ok' | 'failed' | 'staged-only' | 'rolled-back', error?: string) =>
        historyEntry(ctx, 'deploy', from, bundle.id, result, error);
      if (startFailed.length) {
        const why = `staging failed on ${startFailed.join(', ')}: nothing switched`;
        return { history: line('failed', why), prune: false };
      }
      if (relay?.broke.length) {
        const why = `relaying failed on ${relay.broke.join(', ')}: nothing switched`;
        return { history: line(report.status === 'ok' ? 'staged-only' : 'failed', why), prune: false };
      }
      if (i.split?.phase === 'stage') return { history: line('staged-only'), prune: false };
      if (report.status === 'ok') return { history: line('ok'), prune: !anyFailed && (plan?.staged ?? false) };
      if (activate.reverted.has(host)) return { history: line('rolled-back', report.error?.message), prune: false };
      const result = report.status === 'untouched' ? 'staged-only' : 'failed';
      return { history: line(result, report.error?.message), prune: false };
    },
  });
}
