import { switchCommand } from '../ops/release/switch.js';
import { RemoteCommandError, tail } from '../errors/remote-error.js';
import type { HostSession } from '../runner/host-session.js';
import type { DeployContext } from './deploy-context.js';
import { afterSwitch, afterSwitchLabels } from '../ops/services.js';

export interface ActivateOptions {
  /** this host's config set for the release (a deploy's new one); else the release's `config` link stays */
  readonly configHash?: string | undefined;
  /** a revert: put `previous` back as it was before the run */
  readonly restorePrevious?: { readonly id: string | undefined } | undefined;
  /** the step's id in the report (`activate`, or `revert` for a switch back) */
  readonly id?: string;
  /** what `current` points to now, for a --dry-run plan's `switch from → to` */
  readonly from?: string | undefined;
}

/**
 * Point `current` at release `id` (atomic rename), link service configs into current/config,
 * reload nginx/haproxy and restart the supervisor program — one round trip.
 */
export async function activateHost(
  s: HostSession,
  d: DeployContext,
  id: string,
  title: (t: string) => void,
  o: ActivateOptions = {},
): Promise<void> {
  const def = d.definition;
  const links = def.configs
    .filter((c) => c.link && s.host.roles.some((r) => c.roles.includes(r)))
    .map((c) => ({ target: c.target, link: c.link as string }));
  const command = switchCommand({
    paths: d.paths,
    id,
    links,
    after: afterSwitch(def, s.host),
    configHash: o.configHash,
    restorePrevious: o.restorePrevious,
  });
  const step = o.id ?? 'activate';
  const what = step === 'revert' ? 'switch back' : 'switch';
  if (d.dryRun) {
    const then = afterSwitchLabels(def, s.host);
    s.plan(
      step,
      `${what} ${o.from ?? '(no release yet)'} → ${id}${then.length ? `, then ${then.join(', ')}` : ''}`,
      command,
    );
    return;
  }
  title(`${what} current → ${id}`);
  const stepTitle = `${what} current → releases/${id} + reload`;
  try {
    await s.exec(command, { title: stepTitle, id: step, status: 'changed' });
  } catch (err) {
    if (!(err instanceof RemoteCommandError)) throw err;
    throw new RemoteCommandError(
      { ...err, host: s.host.name },
      `[${s.host.name}] ${stepTitle} failed (${err.exitCode === null ? 'killed' : `exit ${err.exitCode}`})${said(err)}`,
    );
  }
}

/**
 * What the failing switch said, without nginx's `[notice]` lines: a reload prints "signal process
 * started" on success, which is not why a later step (supervisorctl's `ERROR (spawn error)`, on
 * its stdout) failed.
 */
function said(err: RemoteCommandError): string {
  const lines = `${err.stderr}\n${err.stdout}`
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/\[notice\]/.test(l));
  const text = tail(lines.join('\n'), 400);
  return text ? `: ${text}` : '';
}
