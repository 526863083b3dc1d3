/** Where deploy notifications go (ferry.yaml `notify:`, README "Deploy notifications"). */
export interface NotifyConfig {
  readonly graphite?: GraphiteTarget | undefined;
  readonly webhooks: readonly string[];
  /** the most a deploy waits for its notifications, in ms (every send runs in parallel within it) */
  readonly timeoutMs: number;
}

export interface GraphiteTarget {
  readonly host: string;
  readonly port: number;
  /** dotted path prefix, already checked to be safe Graphite nodes */
  readonly prefix: string;
  /** graphite-web's events API (`http://graphite/events/`), for an annotation with the tag and id */
  readonly events?: string | undefined;
}

export const DEFAULT_NOTIFY_TIMEOUT_MS = 2_000;

export type NotifyAction = 'deploy' | 'rollback' | 'restart';

/** How one sink fared over a run (its start and end notes): in the --json report's `notify`. */
export interface NotifyDelivery {
  /** the sink as warnings name it (`graphite host:port`, `webhook https://host/…`: never a path) */
  readonly to: string;
  readonly sent: number;
  readonly failed: number;
  /** the first failure's reason */
  readonly error?: string;
}

/** One host in a notification: explicit fields only (never attrs, env or the definition). */
export interface HostNote {
  readonly name: string;
  /** the host's report status at the end (ok, failed, unreachable, skipped, untouched) */
  readonly result?: string | undefined;
  /** what failed, as a kind (`failed`, `connection`, …): messages are left out, they can carry program output */
  readonly error?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly durationMs?: number | undefined;
}

/**
 * A lifecycle notification: what every sink (carbon, graphite-web events, webhooks) is built from.
 * Built field by field from the run (see event.ts), so nothing a deploy carries (attrs, --set,
 * env, secrets, the command line) can reach a sink by accident.
 */
export interface LifecycleNote {
  /** start: before the first lock; finish / failure: after every host's history line and unlock */
  readonly event: 'start' | 'finish' | 'failure';
  readonly action: NotifyAction;
  readonly bundle: string;
  readonly tag?: string | undefined;
  readonly commit?: string | undefined;
  /** the release deployed (deploy), or the one every host went to (rollback, restart) when they agree */
  readonly id?: string | undefined;
  readonly runId: string;
  readonly stage?: string | undefined;
  /** user@machine that ran ferry */
  readonly who: string;
  /** unix ms */
  readonly at: number;
  readonly hosts: readonly HostNote[];
  readonly result?: 'ok' | 'failed' | undefined;
  readonly durationMs?: number | undefined;
}
