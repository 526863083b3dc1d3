import { renderConfigs, renderContext } from '../bundle/render.js';
import { FailedError } from '../errors/failed-error.js';
import { shardLabel, type Shard } from '../inventory/shard.js';
import type { DeployContext } from './deploy-context.js';
import type { HostPlan, Recipe, StartHost } from './flow.js';
import { historyEntry } from './history-entry.js';
import { configHash, stageHost } from './stage-host.js';
import type { StagedHost } from './stage-record.js';
import { stopIfRefused } from './take-lock.js';

/**
 * A deploy split across CI jobs: `stage` stages this shard and switches nothing (its plans feed
 * the stage record); `activate` checks each host holds what its shard's record says, then the
 * deploy's activation runs as usual. Between them the CI engine's job dependency is the barrier.
 */
export type SplitPhase =
  | { readonly phase: 'stage'; readonly shard: Shard; readonly plans: Map<string, HostPlan> }
  | { readonly phase: 'activate'; readonly shard: Shard; readonly staged: ReadonlyMap<string, StagedHost> };

/** The deploy recipe's start for a split phase. */
export function splitStart(split: SplitPhase, d: DeployContext): Recipe['start'] {
  const id = d.bundle?.id ?? '';
  if (split.phase === 'stage') {
    return {
      phase: `stage ${id} (shard ${shardLabel(split.shard)}, nothing switched)`,
      run: async (h) => {
        const plan = await stageHost(h, d);
        split.plans.set(h.session.host.name, plan);
        return plan;
      },
    };
  }
  return {
    phase: `lock + verify staged ${id} (shard ${shardLabel(split.shard)})`,
    run: (h) => {
      const want = split.staged.get(h.session.host.name);
      if (!want) throw new FailedError('no stage record names this host', h.session.host.name);
      return verifyStaged(h, d, want);
    },
  };
}

/**
 * Lock + probe one host and plan its activation from what is already there: the release and this
 * host's config set as the record says (configs rendered again must hash the same). Nothing is
 * uploaded or extracted: a host missing them fails, so the shard activates nowhere.
 */
async function verifyStaged(h: StartHost, d: DeployContext, want: StagedHost): Promise<HostPlan> {
  const s = h.session;
  const bundle = d.bundle;
  if (!bundle) throw new Error('verifyStaged needs a built bundle');
  const id = bundle.id;
  h.ui.title('render configs');
  const hash = configHash(await renderConfigs(bundle, renderContext(bundle, s.host, d.allHosts)));
  if (hash !== want.configHash)
    throw new FailedError(
      `configs render to ${hash} now but ${want.configHash} was staged: the inventory changed since staging — stage again`,
      s.host.name,
    );
  const unchanged = JSON.stringify(historyEntry(d, 'deploy', id, id, 'unchanged'));
  const probe = await h.lock({ id, configHash: hash, unchangedHistory: unchanged });
  if (probe.lock === 'unchanged') return { from: id, to: id, configHash: hash, upToDate: true, staged: false };
  stopIfRefused(s, d);
  if (!probe.releasePresent || !probe.configsPresent)
    throw new FailedError(
      `not staged as recorded: releases/${id}${probe.releasePresent ? `/configs/${hash}` : ''} is missing ` +
        '(run --phase stage for this shard again)',
      s.host.name,
    );
  h.ui.title(`release ${id} staged as recorded`);
  return {
    from: probe.current,
    to: id,
    before: { previous: probe.previous },
    configHash: hash,
    upToDate: probe.current === id && probe.configLink === `configs/${hash}`,
    // staged by this deploy's stage phase: a clean activation prunes old releases, as a one-job deploy does
    staged: true,
  };
}
