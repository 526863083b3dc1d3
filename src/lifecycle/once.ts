import { stagedEnvFile } from '../bundle/env-file.js';
import type { Host } from '../inventory/types.js';
import type { BundleDefinition } from '../bundle/definition.js';
import { ProjectError } from '../errors/index.js';
import type { HostReport } from '../runner/report.js';
import { runOnHosts } from '../runner/run-hosts.js';
import { onceCommand } from '../ops/release/once.js';
import type { Phase } from './flow.js';
import type { DeployHooks } from './hooks.js';
import { onceHost } from './once-host.js';

/** The once phase, and the step that failed (history names it and its host on every host). */
export interface OncePhase extends Phase {
  readonly failed: { readonly step: string; readonly host: string } | undefined;
}

const bad = (r: HostReport) => r.status === 'failed' || r.status === 'unreachable';

/**
 * Before anything is uploaded: every once-step's role has a host in the inventory, and at most one
 * `primary: true` host of it among the selected ones. `file` names the bundle definition in errors.
 */
export function checkOnce(def: BundleDefinition, selected: readonly Host[], inventory: readonly Host[], file: string) {
  for (const [i, step] of (def.once ?? []).entries()) {
    const choice = onceHost(step.role, selected, inventory);
    if (choice.why === 'no-such-host')
      throw new ProjectError({ file }, `once.${i}.role: no host of the inventory has role '${step.role}'`);
    if (choice.ambiguous)
      throw new ProjectError(
        { file },
        `once.${i}.role: hosts ${choice.ambiguous.join(', ')} of role '${step.role}' are all primary: mark one`,
      );
  }
}

/**
 * DESIGN.md "Deploy phases", step 2: after every host staged and before any host switches, each
 * run-once step runs once for the whole deploy (not per batch, not per host of its role) on its
 * host (once-host.ts), in the new release's directory with its environment. A failing step stops
 * the deploy there: nothing is switched anywhere. Nothing to activate anywhere: nothing runs.
 */
export function oncePhase(hooks: DeployHooks): OncePhase {
  const phase: { -readonly [K in keyof OncePhase]: OncePhase[K] } = {
    name: 'once',
    failed: undefined,
    async run(p) {
      const def = p.ctx.definition;
      const steps = def.once ?? [];
      const id = p.ctx.bundle?.id;
      if (!steps.length || id === undefined) return [];
      if ([...p.plans.values()].every((plan) => plan.upToDate)) return [];
      const out: HostReport[][] = [];
      for (const step of steps) {
        const choice = onceHost(step.role, p.hosts, p.ctx.allHosts);
        const host = choice.host;
        if (!host) {
          if (!p.run.silent)
            (p.run.toStderr ? process.stderr : process.stdout).write(
              `== once ${step.name}: skipped, no host of role ${step.role} in this deploy ==\n`,
            );
          continue;
        }
        const why = choice.why === 'primary' ? 'primary' : `first of role ${step.role}`;
        const run = {
          ...p.run,
          hosts: [host],
          sessions: p.sessions,
          phase: `once ${step.name} on ${host.name} (${why})`,
        };
        const reports = await runOnHosts(run, async (s, ui) => {
          const from = p.plans.get(host.name)?.from;
          // the staged config set's env file: `<release>/<path>` follows `config`, switched only at activation
          const plan = p.plans.get(host.name);
          const envFile =
            p.ctx.envFiles?.has(host.name) && plan?.configHash
              ? stagedEnvFile(p.ctx.paths.release(id), plan.configHash)
              : undefined;
          const command = onceCommand({
            envFile,
            paths: p.ctx.paths,
            id,
            run: step.run,
            env: def.env.kind,
            host: host.name,
            from,
          });
          const title = `once ${step.name} in releases/${id}`;
          if (p.ctx.dryRun) {
            s.plan(`once:${step.name}`, `${title} (${why})`, command);
            return undefined;
          }
          ui.title(`once ${step.name}`);
          try {
            await s.exec(command, { title, id: `once:${step.name}`, status: 'changed' });
          } catch (err) {
            await hooks.failed(s, ui.title, { id, from }, err);
            throw err;
          }
          return undefined;
        });
        out.push(reports);
        if (reports.some(bad)) {
          phase.failed = { step: step.name, host: host.name };
          const rest = p.hosts.filter((h) => h.name !== host.name);
          out.push(
            rest.map((h) => ({ host: h.name, status: 'untouched', durationMs: 0, channels: 0, steps: [], changes: 0 })),
          );
          break;
        }
      }
      return out;
    },
  };
  return phase;
}
