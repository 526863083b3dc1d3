import type { RunReport } from '../runner/report.js';
import type { RollingSetup } from '../rolling/rolling-setup.js';
import { definitionFile } from '../bundle/load-definition.js';
import { loadHooks } from '../bundle/load-hooks.js';
import { runLifecycle, type LifecycleInput } from './flow.js';
import { stageHost } from './stage-host.js';
import { activation } from './activate.js';
import { historyEntry } from './history-entry.js';
import { splitStart, type SplitPhase } from './split-phase.js';
import { DeployHooks } from './hooks.js';
import { checkOnce, oncePhase } from './once.js';
import { UsageError } from '../errors/usage-error.js';

export interface DeployInput extends LifecycleInput {
  /** batch by batch behind HAProxy (--batch), or a plain activation (every host at once, gated); default plain */
  readonly rolling?: RollingSetup | undefined;
  /** --phase stage (stage only) or --phase activate (verify staged, then activate): see split-phase.ts */
  readonly split?: SplitPhase | undefined;
}

/**
 * Stage on every host in parallel under its lock (then its afterStage hook), nothing switched; the
 * run-once steps on their one host each; only then activate (DESIGN.md "Deploy phases"). A new
 * release is pruned for only when every host is on it. Every history line names the release
 * deployed (`to`); its result says whether the host runs it.
 */
export async function deploy(i: DeployInput): Promise<RunReport> {
  const { ctx } = i;
  const bundle = ctx.bundle;
  if (!bundle) throw new Error('deploy needs a built bundle');
  // before any host is touched: a once-step's role with no host, and the release's own hook functions
  const file = definitionFile(bundle.templatesDir)?.slice(bundle.templatesDir.length + 1) ?? 'bundle.ts';
  const where = `bundles/${ctx.definition.name}/${file}`;
  checkOnce(ctx.definition, i.hosts, ctx.allHosts, where);
  if (i.split && ctx.definition.once?.length)
    throw new UsageError(
      `${where}: once: ${(ctx.definition.once ?? []).map((o) => o.name).join(', ')} must run once, after every host ` +
        'staged and before any switches; split jobs would run them per shard or race the other shards: ' +
        'deploy this bundle without --phase',
    );
  const hooks = new DeployHooks(await loadHooks(bundle), ctx);
  const once = oncePhase(hooks);
  const activate = activation(i.rolling, hooks);
  const relay = ctx.relay;
  return runLifecycle(i, {
    action: 'deploy',
    start: i.split
      ? splitStart(i.split, ctx)
      : {
          phase: `stage ${bundle.id}`,
          run: async (h) => {
            const target = { id: bundle.id, from: undefined as string | undefined };
            let locked = false; // onFailure only on a host this run holds
            const lock: typeof h.lock = async (want) => {
              const probe = await h.lock(want);
              locked = probe.lock === 'acquired';
              return probe;
            };
            try {
              const plan = await stageHost({ ...h, lock }, ctx);
              target.from = plan.from;
              if (!plan.upToDate) await hooks.run('afterStage', h.session, h.ui.title, target);
              return plan;
            } catch (err) {
              if (locked) await hooks.failed(h.session, h.ui.title, target, err);
              throw err;
            }
          },
        },
    phases: [...(relay ? [relay.phase()] : []), ...(i.split?.phase === 'stage' ? [] : [once, activate])],
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
      if (once.failed) {
        const why = `once step '${once.failed.step}' failed on ${once.failed.host}: nothing switched`;
        const own = host === once.failed.host && report.error ? `\n${report.error.message}` : '';
        return { history: line(host === once.failed.host ? 'failed' : 'staged-only', why + own), prune: false };
      }
      if (report.status === 'ok') return { history: line('ok'), prune: !anyFailed && (plan?.staged ?? false) };
      if (activate.reverted.has(host)) return { history: line('rolled-back', report.error?.message), prune: false };
      const result = report.status === 'untouched' ? 'staged-only' : 'failed';
      return { history: line(result, report.error?.message), prune: false };
    },
  });
}
