import type { BundleHooks, HookContext, HookName } from '../bundle/definition.js';
import { FailedError } from '../errors/failed-error.js';
import type { HostSession } from '../runner/host-session.js';
import { createTaskContext } from '../runner/task-context.js';
import type { DeployContext } from './deploy-context.js';

/** Which release a hook call is about on its host (the plan's `to` and `from`). */
export interface HookTarget {
  readonly id: string;
  readonly from: string | undefined;
}

type StepHook = Exclude<HookName, 'onFailure'>;

/**
 * A deploy's hooks, run on a host's session: each call is one named step (`hook:<name>`) in the
 * report, the host log and --json, after the commands it ran; in --dry-run the step is planned
 * and the hook runs with a dry-run context, so its commands show as planned and nothing runs.
 * Without hooks every call returns at once: no round trip.
 */
export class DeployHooks {
  constructor(
    private readonly fns: BundleHooks,
    private readonly d: DeployContext | undefined,
  ) {}

  has(name: HookName): boolean {
    return this.fns[name] !== undefined;
  }

  /** Run one hook; a failure (the hook threw, or a command it ran failed) fails the host, naming the hook. */
  async run(name: StepHook, s: HostSession, title: (t: string) => void, target: HookTarget): Promise<void> {
    const fn = this.fns[name];
    if (!fn) return;
    await this.call(name, s, title, target, (ctx) => fn(ctx));
  }

  /** The host's deploy failed: onFailure with the error. Never throws (its own failure is logged and reported). */
  async failed(s: HostSession, title: (t: string) => void, target: HookTarget, error: unknown): Promise<void> {
    const fn = this.fns.onFailure;
    if (!fn) return;
    const err = error instanceof Error ? error : new Error(String(error));
    await this.call('onFailure', s, title, target, (ctx) => fn(ctx, err)).catch(() => undefined);
  }

  private async call(
    name: HookName,
    s: HostSession,
    title: (t: string) => void,
    target: HookTarget,
    invoke: (ctx: HookContext) => unknown,
  ): Promise<void> {
    const d = this.d;
    if (!d) return;
    const id = `hook:${name}`;
    const label = `hook ${name}`;
    const base = createTaskContext({
      session: s,
      hosts: d.allHosts,
      params: undefined,
      dryRun: d.dryRun,
      setTitle: title,
      log: (m) => s.log.line(`${label}: ${m}`),
      stepId: id, // the hook's commands are its steps: a failing one names the hook in history
    });
    const { params: _params, ...task } = base;
    const ctx: HookContext = {
      ...task,
      hook: name,
      release: {
        id: target.id,
        dir: d.paths.release(target.id),
        from: target.from,
        deployPath: d.paths.root,
        current: d.paths.current,
        shared: d.paths.shared,
      },
    };
    if (d.dryRun) s.planNote(id, label);
    title(label);
    const t0 = performance.now();
    try {
      await invoke(ctx);
    } catch (err) {
      const said = err instanceof Error ? err.message : String(err);
      const message = said.startsWith(`[${s.host.name}] `) ? said.slice(s.host.name.length + 3) : said;
      s.event(id, label, false, Math.round(performance.now() - t0), message);
      throw new FailedError(`${label} failed: ${message}`, s.host.name, { cause: err });
    }
    if (!d.dryRun) s.event(id, label, true, Math.round(performance.now() - t0));
  }
}

/** A deploy without hooks (and rollback, restart): every call is a no-op. */
export const NO_HOOKS = new DeployHooks({}, undefined);
