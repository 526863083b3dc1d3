import type { Host } from '../inventory/types.js';
import type { RunReport } from '../runner/report.js';
import type { DeployContext } from '../lifecycle/deploy-context.js';
import type { HostPlan } from '../lifecycle/flow.js';
import type { NotifyAction, NotifyDelivery } from './types.js';

/** What runLifecycle hands the notifier when a run starts. */
export interface RunStart {
  readonly action: NotifyAction;
  readonly ctx: DeployContext;
  readonly hosts: readonly Host[];
}

/** How a run ended: its report, or none when the flow threw. */
export interface RunEnd {
  readonly report?: RunReport | undefined;
  readonly plans: ReadonlyMap<string, HostPlan>;
}

/** The lifecycle's notification hook (LifecycleInput.notify); implemented by notifier.ts. */
export interface LifecycleNotifier {
  /** sends the start notes in the background: never waits on the network, never throws */
  start(s: RunStart): NotifiedRun;
}

export interface NotifiedRun {
  /**
   * sends the finish or failure notes and waits for every send of the run, at most the bound;
   * never throws. Resolves with each sink's deliveries (none in a dry run: nothing is sent).
   */
  end(e: RunEnd): Promise<readonly NotifyDelivery[]>;
}
