/** One line of .ferry/history.jsonl on a host. */
export interface HistoryEntry {
  readonly at: string;
  readonly action: 'deploy' | 'rollback' | 'restart';
  readonly user: string;
  readonly controlHost: string;
  readonly runId: string;
  readonly bundle: string;
  readonly id?: string | undefined;
  readonly tag?: string | undefined;
  readonly commit?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly result: 'ok' | 'failed' | 'staged-only' | 'rolled-back' | 'unchanged';
  readonly error?: string | undefined;
}
