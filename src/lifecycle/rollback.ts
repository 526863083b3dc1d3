import type { Host } from '../inventory/types.js';
import type { HostReport, RunReport } from '../runner/report.js';
import { runOnHosts } from '../runner/run-hosts.js';
import type { RollingSetup } from '../rolling/rolling-setup.js';
import { FailedError } from '../errors/failed-error.js';
import { badReleases, historyFact, rollbackCandidates } from '../ops/release/history.js';
import { recordedReleaseFact } from '../ops/release/manifest.js';
import { runLifecycle, type HostPlan, type LifecycleInput, type Phase, type StartHost } from './flow.js';
import { activation } from './activate.js';
import { historyEntry } from './history-entry.js';
import type { DeployContext } from './deploy-context.js';
import { rollbackRefusals, type HostTarget } from './rollback-target.js';

export interface RollbackInput extends LifecycleInput {
  /** a named release; default: the release live before on every host (see rollbackCandidates) */
  readonly to?: string | undefined;
  /** without `to`: hosts whose candidates differ each go to their own instead of a refusal */
  readonly perHost?: boolean | undefined;
  readonly rolling?: RollingSetup | undefined;
}

/** How many history lines a rollback reads to find the releases live before and those marked bad. */
const HISTORY_WINDOW = 500;

/** Under the lock: this host's candidates and the first one's recorded definition (refused when there is none). */
async function checkHost(h: StartHost, ctx: DeployContext, to: string | undefined): Promise<[HostPlan, HostTarget]> {
  const p = await h.lock({ id: to ?? 'none' });
  const { session: s } = h;
  const name = s.host.name;
  let candidates: string[];
  if (to) {
    if (!p.releases.includes(to))
      throw new FailedError(`release ${to} is not on this host (it has: ${p.releases.join(', ') || 'none'})`, name);
    candidates = [to];
  } else {
    h.ui.title('read history');
    const fact = historyFact(ctx.paths, HISTORY_WINDOW);
    const history = fact.parse((await s.exec(fact.command, { title: 'read history', id: 'history' })).stdout);
    candidates = rollbackCandidates(history, { current: p.current, previous: p.previous, present: p.releases });
    if (!candidates.length) {
      const bad = [...badReleases(history)].filter((id) => p.releases.includes(id));
      const marked = bad.length ? `; marked bad: ${bad.join(', ')} (name one with --to)` : '';
      throw new FailedError(`no release to roll back to (current: ${p.current ?? 'none'}${marked})`, name);
    }
  }
  const id = candidates[0] as string;
  h.ui.title(`read the definition of ${id}`);
  const fact = recordedReleaseFact(ctx.paths, id);
  const title = `read releases/${id}/manifest.json`;
  const release = fact.parse((await s.exec(fact.command, { title, id: 'manifest' })).stdout);
  if (typeof release === 'string') throw new FailedError(`${release}: its own definition is unknown`, name);
  // its paths (an LB config without a link lives under its deployPath) must be where it was found
  const root = release.definition.deployPath.replace(/\/+$/, '');
  if (root !== ctx.paths.root)
    throw new FailedError(`release ${id} was built for deployPath ${root}, not ${ctx.paths.root}`, name);
  return [
    { from: p.current, to: id, upToDate: p.current === id },
    { candidates, release },
  ];
}

/** Once every host has its target: refuse them all when they disagree (or a definition differs). */
function agree(targets: ReadonlyMap<string, HostTarget>, perHost: boolean): Phase {
  return {
    name: 'agree',
    run: async (p) => {
      const refused = rollbackRefusals(targets, perHost);
      const reports = await runOnHosts(
        { ...p.run, hosts: p.hosts, sessions: p.sessions, phase: 'target' },
        async (s, ui) => {
          const why = refused.get(s.host.name);
          if (why) throw new FailedError(why, s.host.name);
          ui.title(`→ ${p.plans.get(s.host.name)?.to ?? '?'}`);
          return {};
        },
      );
      return [reports];
    },
  };
}

const bad = (r: HostReport) => r.status === 'failed' || r.status === 'unreachable';

const untouched = (hosts: readonly Host[]): HostReport[] =>
  hosts.map((h) => ({ host: h.name, status: 'untouched', durationMs: 0, channels: 0, steps: [], changes: 0 }));

/**
 * The activation, with each target release's own definition (links, services, program, health,
 * haproxy): one group per release (only --per-host makes more than one); a failed group stops the rest.
 */
function activateRecorded(targets: ReadonlyMap<string, HostTarget>, rolling: RollingSetup | undefined): Phase {
  return {
    name: 'activate',
    run: async (p) => {
      const groups = new Map<string, Host[]>();
      for (const h of p.hosts) {
        const id = targets.get(h.name)?.release.id;
        if (!id) throw new Error(`no target for ${h.name}`);
        groups.set(id, [...(groups.get(id) ?? []), h]);
      }
      const out: HostReport[][] = [];
      for (const hosts of groups.values()) {
        if (out.flat().some(bad)) {
          out.push(untouched(hosts));
          continue;
        }
        const definition = (targets.get(hosts[0]?.name ?? '') as HostTarget).release.definition;
        out.push(...(await activation(rolling).run({ ...p, hosts, ctx: { ...p.ctx, definition } })));
      }
      return out;
    },
  };
}

/**
 * Back to an earlier release on every selected host, through the same activation as a deploy but
 * with that release's own definition as recorded in its manifest (never the working tree's).
 * Without `to`: the release live before on every host; hosts that disagree are refused (exit 1,
 * nothing switched) unless `perHost`. The release left behind is marked bad in history.
 */
export function rollback(i: RollbackInput): Promise<RunReport> {
  const { ctx } = i;
  const targets = new Map<string, HostTarget>();
  return runLifecycle(i, {
    action: 'rollback',
    start: {
      phase: 'check',
      run: async (h) => {
        const [plan, target] = await checkHost(h, ctx, i.to);
        targets.set(h.session.host.name, target);
        return plan;
      },
    },
    phases: [agree(targets, Boolean(i.perHost)), activateRecorded(targets, i.rolling)],
    end: ({ host, plan, from, report, startFailed }) => {
      const good = startFailed.length === 0 && report.status === 'ok';
      const why = good
        ? undefined
        : (report.error?.message ??
          (startFailed.length ? `refused: ${startFailed.join(', ')} failed the check, nothing switched` : 'failed'));
      const release = targets.get(host)?.release;
      const label = release ? { name: ctx.label.name, tag: release.tag, commit: release.commit } : ctx.label;
      const left = good && plan?.to !== from ? from : undefined;
      const to = good ? plan?.to : (plan?.to ?? from);
      const entry = historyEntry({ ...ctx, label }, 'rollback', from, to, good ? 'ok' : 'failed', why, { bad: left });
      return { history: entry, prune: false };
    },
  });
}
