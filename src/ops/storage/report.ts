import type { StepOutcome } from '../../task/types.js';
import type { StoragePlan } from './ebs-stripe.js';

/** What a storage task returns: per step changed, plus what was already in place. */
export interface StorageReport {
  /** steps that ran and changed the host (0 on a second run) */
  readonly changes: number;
  /** steps only planned (--dry-run) */
  readonly planned: number;
  readonly steps: ReadonlyArray<{
    readonly id: string;
    readonly title: string;
    readonly status: StepOutcome['status'];
  }>;
  readonly unchanged: readonly string[];
  readonly notes: readonly string[];
}

/**
 * One report over one or more phases: what was already in place is what some phase found
 * unchanged and no earlier phase had to do.
 */
export function storageReport(plans: readonly StoragePlan[], outcomes: readonly StepOutcome[]): StorageReport {
  const done = new Set(outcomes.map((o) => o.id));
  const unchanged = [
    ...new Set(
      plans
        .flatMap((p) => p.unchanged)
        .filter((u) => !done.has(u.id))
        .map((u) => u.what),
    ),
  ];
  return {
    changes: outcomes.filter((o) => o.status === 'changed').length,
    planned: outcomes.filter((o) => o.status === 'planned').length,
    steps: outcomes.map((o) => ({ id: o.id, title: o.title, status: o.status })),
    unchanged,
    notes: [...new Set(plans.flatMap((p) => p.notes))],
  };
}
