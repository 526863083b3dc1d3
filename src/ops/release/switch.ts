import { quote } from '../../shell/quote.js';
import { and, render, sh, type Command } from '../../shell/command.js';
import type { ReleasePaths } from './paths.js';
import { linkConfigScript, type ConfigLink } from './config-link.js';

export interface SwitchInput {
  readonly paths: ReleasePaths;
  readonly id: string;
  readonly links: readonly ConfigLink[];
  /** point releases/<id>/config at configs/<hash> first (this host's configs for this deploy) */
  readonly configHash?: string | undefined;
  /**
   * A revert: set `previous` back to what it was before the run (`id` undefined: remove it),
   * instead of to the release `current` leaves — else a reverted deploy names the release that
   * failed as `previous`.
   */
  readonly restorePrevious?: { readonly id: string | undefined } | undefined;
  /** reload/restart commands run after the switch, in order */
  readonly after: readonly Command[];
}

/**
 * Atomically point `current` at releases/<id> (ln -s … current.tmp && mv -T current.tmp current),
 * remembering the old target as `previous`; then link service configs and reload/restart. The
 * release store is the SSH user's (the deploy user owns the deploy path); the service steps —
 * links into /etc, reloads, supervisorctl — are one step as root (through sudo unless root).
 */
export function switchCommand(i: SwitchInput): Command {
  const p = i.paths;
  const q = quote;
  const rel = `releases/${i.id}`;
  const steps = [
    `test -d ${q(p.release(i.id))}`,
    ...(i.configHash
      ? [
          `test -d ${q(`${p.release(i.id)}/configs/${i.configHash}`)}`,
          `ln -sfn ${q(`configs/${i.configHash}`)} ${q(`${p.release(i.id)}/config.tmp`)}`,
          `mv -Tf ${q(`${p.release(i.id)}/config.tmp`)} ${q(`${p.release(i.id)}/config`)}`,
        ]
      : []),
    ...(i.restorePrevious ? [restorePreviousScript(p, i.restorePrevious.id)] : rememberPreviousScript(p, rel)),
    `ln -sfn ${q(rel)} ${q(`${p.current}.tmp`)}`,
    `mv -Tf ${q(`${p.current}.tmp`)} ${q(p.current)}`,
  ];
  const service = [
    ...i.links.map((l) => linkConfigScript(p, l)),
    ...i.after.map((c) => `{ ${render(c, { masked: false })}; }`),
  ];
  const store = sh(steps.join(' && '));
  return service.length ? and(store, { script: service.join(' && '), asRoot: true }) : store;
}

/** `previous` := the release `current` points to now, unless that is the target. */
function rememberPreviousScript(p: ReleasePaths, rel: string): string[] {
  const q = quote;
  return [
    `cur="$(readlink ${q(p.current)} 2>/dev/null || true)"`,
    `{ if [ -n "$cur" ] && [ "$cur" != ${q(rel)} ]; then ln -sfn "$cur" ${q(`${p.previous}.tmp`)} && mv -Tf ${q(`${p.previous}.tmp`)} ${q(p.previous)}; fi; }`,
  ];
}

function restorePreviousScript(p: ReleasePaths, id: string | undefined): string {
  const q = quote;
  if (id === undefined) return `rm -f ${q(p.previous)}`;
  return `ln -sfn ${q(`releases/${id}`)} ${q(`${p.previous}.tmp`)} && mv -Tf ${q(`${p.previous}.tmp`)} ${q(p.previous)}`;
}
