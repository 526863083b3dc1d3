import type { RunReport } from '../runner/report.js';
import type { RollingSetup } from '../rolling/rolling-setup.js';
import { runLifecycle, type LifecycleInput } from './flow.js';
import { stageHost } from './stage-host.js';
import { activation } from './activate.js';
import { historyEntry } from './history-entry.js';

export interface DeployInput extends LifecycleInput {
  /** batch by batch behind HAProxy (--batch); default: every host at once */
  readonly rolling?: RollingSetup | undefined;
}

/**
 * Stage on every host in parallel under its lock, nothing switched; only when every host staged,
 * activate (DESIGN.md "Deploy phases"). A new release is pruned for only when every host is on it.
 */
export function deploy(i: DeployInput): Promise<RunReport> {
  const { ctx } = i;
  const bundle = ctx.bundle;
  if (!bundle) throw new Error('deploy needs a built bundle');
  return runLifecycle(i, {
    action: 'deploy',
    start: { phase: `stage ${bundle.id}`, run: (h) => stageHost(h, ctx) },
    phases: [activation(i.rolling)],
    end: ({ plan, from, report, startFailed, anyFailed }) => {
      if (startFailed.length) {
        const why = `staging failed on ${startFailed.join(', ')}: nothing switched`;
        return { history: historyEntry(ctx, 'deploy', from, from, 'failed', why), prune: false };
      }
      if (report.status === 'ok')
        return {
          history: historyEntry(ctx, 'deploy', from, bundle.id, 'ok'),
          prune: !anyFailed && (plan?.staged ?? false),
        };
      const result = report.status === 'untouched' ? 'staged-only' : 'failed';
      return { history: historyEntry(ctx, 'deploy', from, from, result, report.error?.message), prune: false };
    },
  });
}
