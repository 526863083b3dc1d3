import { carbonLines, graphiteEvent, metrics } from './graphite.js';
import { endNote, startNote } from './event.js';
import type { LifecycleNotifier, NotifiedRun, RunStart } from './hook.js';
import { postJson, sendCarbon, shownUrl } from './send.js';
import type { LifecycleNote, NotifyConfig, NotifyDelivery } from './types.js';
import { webhookPayload } from './webhook.js';

export interface NotifierIo {
  /** --dry-run: print what would be sent, send nothing */
  readonly dryRun: boolean;
  /** one line for the operator (stderr); called at most once per run for failures */
  readonly line: (text: string) => void;
}

interface Sink {
  /** how warnings and dry runs name it (never a webhook's path: it is often the secret) */
  readonly label: string;
  /** what would be sent, for --dry-run */
  preview(n: LifecycleNote): string;
  send(n: LifecycleNote, timeoutMs: number): Promise<void>;
}

function sinks(c: NotifyConfig): Sink[] {
  const out: Sink[] = [];
  const g = c.graphite;
  if (g) {
    out.push({
      label: `graphite ${g.host}:${g.port}`,
      preview: (n) => carbonLines(metrics(g.prefix, n)).trimEnd().replace(/\n/g, '; '),
      send: (n, t) => sendCarbon(g.host, g.port, carbonLines(metrics(g.prefix, n)), t),
    });
    const events = g.events;
    if (events) {
      out.push({
        label: `graphite events ${shownUrl(events)}`,
        preview: (n) => JSON.stringify(graphiteEvent(n)),
        send: (n, t) => postJson(events, graphiteEvent(n), t),
      });
    }
  }
  for (const url of c.webhooks) {
    out.push({
      label: `webhook ${shownUrl(url)}`,
      preview: (n) => JSON.stringify(webhookPayload(n)),
      send: (n, t) => postJson(url, webhookPayload(n), t),
    });
  }
  return out;
}

const reason = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';

/**
 * Every sink at start and at end, all in parallel, each send bounded by the timeout: the start's
 * sends run while the hosts work, the end waits at most the timeout for its own. A sink that is
 * down or slow costs one warning line for the whole run and never the deploy's result.
 */
export function createNotifier(config: NotifyConfig, io: NotifierIo): LifecycleNotifier | undefined {
  const all = sinks(config);
  if (all.length === 0) return undefined;
  return {
    start(s: RunStart): NotifiedRun {
      const t0 = performance.now();
      const failures = new Map<string, string>();
      const counts = new Map(all.map((sink) => [sink.label, { sent: 0, failed: 0 }]));
      const pending: Promise<void>[] = [];
      const emit = (n: LifecycleNote) => {
        for (const sink of all) {
          if (io.dryRun) {
            io.line(`notify (dry run, not sent): ${sink.label} ${n.event}: ${sink.preview(n)}`);
            continue;
          }
          const count = counts.get(sink.label) ?? { sent: 0, failed: 0 };
          pending.push(
            sink.send(n, config.timeoutMs).then(
              () => {
                count.sent++;
              },
              (err: unknown) => {
                count.failed++;
                if (!failures.has(sink.label)) failures.set(sink.label, reason(err));
              },
            ),
          );
        }
      };
      emit(startNote(s, Date.now()));
      return {
        async end(e) {
          emit(endNote(s, e, Date.now(), performance.now() - t0));
          await Promise.all(pending);
          if (failures.size) {
            const what = [...failures].map(([label, why]) => `${label} (${why})`).join(', ');
            io.line(`ferry: warning: deploy notification not delivered to ${what}; the ${s.action} went on`);
          }
          if (io.dryRun) return [];
          return [...counts].map(([to, c]): NotifyDelivery => {
            const error = failures.get(to);
            return { to, ...c, ...(error !== undefined ? { error } : {}) };
          });
        },
      };
    },
  };
}
