import type { Host } from '../inventory/types.js';
import type { HostReport } from '../runner/report.js';
import type { HostSession } from '../runner/host-session.js';
import { runOnHosts, type HostWork } from '../runner/run-hosts.js';
import { mergeHostReports } from '../runner/merge-reports.js';
import { FailedError } from '../errors/failed-error.js';
import { exceedsBudget } from '../rolling/batches.js';
import { healthTarget } from '../rolling/health-gate.js';
import { LoadBalancers } from '../rolling/load-balancers.js';
import { programState } from '../rolling/program-state.js';
import { rollHost } from '../rolling/roll-host.js';
import { rollout } from '../rolling/rollout.js';
import { ErrorGate } from '../rolling/error-gate.js';
import { isLbHost, loadBalancersFor, plainSetup, runsProgram, type RollingSetup } from '../rolling/rolling-setup.js';
import { activateHost } from './activate-host.js';
import type { HostPlan, Phase, PhaseRun } from './flow.js';
import { NO_HOOKS, type DeployHooks } from './hooks.js';

/** The activation phase, and which hosts it switched and then switched back. */
export interface Activation extends Phase {
  /** hosts this run switched to their plan's `to` and back to its `from` (their own failure, or a stopped activation) */
  readonly reverted: ReadonlySet<string>;
}

const untouched = (hosts: readonly Host[]): HostReport[] =>
  hosts.map((h) => ({ host: h.name, status: 'untouched', durationMs: 0, channels: 0, steps: [], changes: 0 }));

const bad = (r: HostReport) => r.status === 'failed' || r.status === 'unreachable';
const activated = (r: HostReport) =>
  r.status === 'ok' && (r.result as { activated?: boolean } | undefined)?.activated === true;

/** LB hosts and a plain activation are not taken out of rotation. */
const NO_DRAIN = new LoadBalancers([], '');

function planOf(p: PhaseRun, host: string): HostPlan & { to: string } {
  const plan = p.plans.get(host);
  if (!plan?.to) throw new Error(`no plan for ${host}`);
  return plan as HostPlan & { to: string };
}

/**
 * One activation run: switch hosts (all at once, or batch by batch behind HAProxy), gate each on
 * the health URL, switch a failing host back, and once failures exceed --max-fail switch back every
 * host this run switched.
 */
class Run {
  /** the error-rate gate's reason, when it stopped the rollout */
  private gateStop: string | undefined;

  constructor(
    private readonly p: PhaseRun,
    private readonly setup: RollingSetup,
    private readonly reverted: Set<string>,
    private readonly hooks: DeployHooks,
  ) {}

  private get def() {
    return this.p.ctx.definition;
  }

  /** Switch one host to its plan's release, gated; a failure switches it back to `from` (rollHost). */
  private gated(lbs: LoadBalancers): HostWork {
    return async (s, ui) => {
      const plan = planOf(this.p, s.host.name);
      if (plan.upToDate) {
        ui.title(`already on ${plan.to}`);
        return { activated: false };
      }
      const { from, to } = plan;
      const { hooks } = this;
      const target = { id: to, from };
      try {
        await this.roll(s, lbs, ui.title, {
          before: hooks.has('beforeSwitch') ? (t) => hooks.run('beforeSwitch', s, t, target) : undefined,
          action: (t) => activateHost(s, this.p.ctx, to, t, { configHash: plan.configHash, from }),
          after: hooks.has('afterSwitch') ? (t) => hooks.run('afterSwitch', s, t, target) : undefined,
          revert: from ? (t) => this.switchBack(s, plan, from, t) : undefined,
          revertTo: from,
        });
      } catch (err) {
        await hooks.failed(s, ui.title, target, err);
        throw err;
      }
      return { activated: true };
    };
  }

  /** Back to `from` with `previous` as it was; the host counts as reverted once `current` moved back. */
  private async switchBack(s: HostSession, plan: HostPlan, from: string, title: (t: string) => void) {
    await activateHost(s, this.p.ctx, from, title, {
      id: 'revert',
      from: plan.to,
      restorePrevious: plan.before ? { id: plan.before.previous } : undefined,
    });
    this.reverted.add(s.host.name);
  }

  private roll(
    s: HostSession,
    lbs: LoadBalancers,
    title: (t: string) => void,
    what: Pick<Parameters<typeof rollHost>[0], 'action' | 'before' | 'after' | 'revert' | 'revertTo'>,
  ): Promise<void> {
    const def = this.def;
    const program = runsProgram(def, s.host.roles);
    return rollHost({
      session: s,
      lbs,
      server: s.host.name,
      health: program ? healthTarget(s.host, def.health) : undefined,
      timeouts: this.setup.timeouts,
      title,
      dryRun: this.p.ctx.dryRun,
      diagnose: program ? () => programState(s, def.program) : undefined,
      ...what,
    });
  }

  async activate(): Promise<HostReport[][]> {
    const { p, setup } = this;
    const phases: HostReport[][] = [];
    const budget = (reports: readonly HostReport[], total: number) =>
      exceedsBudget(reports.filter(bad).length, total, setup.rollout.maxFail);
    let stopped: boolean;
    if (!setup.batched) {
      const reports = await runOnHosts(
        { ...p.run, hosts: p.hosts, sessions: p.sessions, phase: 'activate' },
        this.gated(NO_DRAIN),
      );
      phases.push(reports);
      stopped = budget(reports, p.hosts.length);
    } else {
      // behind HAProxy: LB hosts first (a config reload that keeps server states), then the app hosts
      const lbHosts = p.hosts.filter((h) => isLbHost(this.def, h.roles));
      const appHosts = p.hosts.filter((h) => !isLbHost(this.def, h.roles));
      const lbReports = lbHosts.length
        ? await runOnHosts({ ...p.run, hosts: lbHosts, sessions: p.sessions, phase: 'activate' }, this.gated(NO_DRAIN))
        : [];
      if (lbReports.length) phases.push(lbReports);
      if (lbReports.some(bad)) {
        phases.push(untouched(appHosts));
        stopped = true;
      } else {
        const lbs = loadBalancersFor(this.def, setup);
        const gate = setup.errorGate && new ErrorGate(setup.errorGate, lbs, p.ctx.dryRun);
        const after = gate?.afterBatch(p.sessions, activated);
        const rolled = await rollout(appHosts, p.sessions, p.run, setup.rollout, this.gated(lbs), 'batch', after);
        phases.push(...rolled);
        this.gateStop = gate?.stoppedBy;
        stopped = budget(rolled.flat(), appHosts.length) || this.gateStop !== undefined;
      }
    }
    if (stopped && !p.ctx.dryRun) phases.push(...(await this.revertAll(phases)));
    return phases;
  }

  /**
   * The activation stopped: every host this run switched and that passed goes back to its `from`
   * (app hosts drained batch by batch when rolling, then the LB hosts), and is reported failed.
   */
  private async revertAll(phases: readonly HostReport[][]): Promise<HostReport[][]> {
    const { p, setup } = this;
    const merged = mergeHostReports(p.hosts, phases);
    const failedNames = merged.filter(bad).map((r) => r.host);
    const passed = new Set(merged.filter(activated).map((r) => r.host));
    const hosts = p.hosts.filter((h) => passed.has(h.name));
    const why =
      this.gateStop ??
      `the activation stopped: ${failedNames.length} host(s) failed (${failedNames.join(', ')}), over --max-fail`;
    const back =
      (lbs: LoadBalancers): HostWork =>
      async (s, ui) => {
        const plan = planOf(p, s.host.name);
        const from = plan.from;
        if (!from) throw new FailedError(`left on ${plan.to}: ${why}, and it has no previous release`, s.host.name);
        await this.roll(s, lbs, ui.title, { action: (t) => this.switchBack(s, plan, from, t) });
        const err = new FailedError(`switched back to ${from}: ${why}`, s.host.name);
        await this.hooks.failed(s, ui.title, { id: plan.to, from }, err);
        throw err;
      };
    const lbHosts = hosts.filter((h) => isLbHost(this.def, h.roles));
    const appHosts = hosts.filter((h) => !isLbHost(this.def, h.roles));
    const out: HostReport[][] = [];
    if (setup.batched && appHosts.length) {
      const all = { ...setup.rollout, maxFail: { kind: 'percent', value: 100 } as const, pauseMs: 0 };
      out.push(...(await rollout(appHosts, p.sessions, p.run, all, back(loadBalancersFor(this.def, setup)), 'revert')));
    }
    const atOnce = setup.batched ? lbHosts : hosts;
    if (atOnce.length)
      out.push(await runOnHosts({ ...p.run, hosts: atOnce, sessions: p.sessions, phase: 'revert' }, back(NO_DRAIN)));
    return out;
  }
}

/**
 * The activation phase of a deploy or rollback (DESIGN.md "Deploy phases", step 3): every host at
 * once (plain), or batch by batch drained in HAProxy (`--batch`). Either way each switched host
 * that runs the program waits for the bundle's health URL; a failing host is switched back to its
 * `from` release (its configs with it: that release's `config` link still points at its own set)
 * and counts against `--max-fail`; past the budget every host this run switched goes back. A host
 * already on its release is not switched, so not gated (a no-op redeploy costs no probe).
 * A deploy's beforeSwitch/afterSwitch hooks run around each host's switch (rollHost's before/after).
 */
export function activation(setup: RollingSetup = plainSetup(), hooks: DeployHooks = NO_HOOKS): Activation {
  const reverted = new Set<string>();
  return { name: 'activate', reverted, run: (p) => new Run(p, setup, reverted, hooks).activate() };
}
