import { renderConfigs, renderContext } from '../bundle/render.js';
import { checkRuntime, needsRuntime, type HostRuntime } from '../bundle/runtime-check.js';
import { stageCommand, stageConfigsCommand } from '../ops/release/stage.js';
import { createHash } from 'node:crypto';
import type { Command } from '../shell/command.js';
import { uploadCommand } from '../ops/release/upload.js';
import type { HostSession } from '../runner/host-session.js';
import type { ProbeResult } from '../ops/release/probe.js';
import type { DeployContext } from './deploy-context.js';
import { configsTar, type TarFile } from './configs-tar.js';
import { validatorFor } from '../ops/services.js';
import { uploadArtifact } from './upload-artifact.js';
import { humanBytes } from '../runner/plan.js';
import { stopIfRefused } from './take-lock.js';
import { historyEntry } from './history-entry.js';
import type { HostPlan, StartHost } from './flow.js';
import { planEnvFile, withEnvFile } from './stage-env.js';

function runtimeOf(p: ProbeResult): HostRuntime {
  return { node: p.node ?? undefined, python: p.python ?? undefined };
}

/** Content hash of a host's rendered configs (targets and bytes, in order). */
export function configHash(configs: readonly { readonly target: string; readonly content: string }[]): string {
  const h = createHash('sha256');
  for (const c of [...configs].sort((a, b) => a.target.localeCompare(b.target)))
    h.update(`${c.target}\0${c.content.length}\0${c.content}`);
  return h.digest('hex').slice(0, 16);
}

/**
 * Stage one host: lock + probe → upload unless the cache has the sha256 → extract to .partial with
 * this host's configs, shared links, validate → rename. A release already there with other configs
 * (inventory changed) gets the new config set staged and validated beside the old one.
 * Nothing is switched. In --dry-run only the plan is recorded.
 */
export async function stageHost(h: StartHost, d: DeployContext): Promise<HostPlan> {
  const { paths } = d;
  const { session: s } = h;
  const title = h.ui.title;
  const bundle = d.bundle;
  if (!bundle) throw new Error('stageHost needs a built bundle');
  const id = bundle.id;
  title('render configs');
  const env = d.envFiles?.get(s.host.name);
  if (env) s.mask(env.secrets);
  const configs = await renderConfigs(bundle, renderContext(bundle, s.host, d.allHosts));
  const { files, hashed } = withEnvFile(configs, env);
  const hash = configHash(hashed);
  const unchanged = JSON.stringify(historyEntry(d, 'deploy', id, id, 'unchanged'));
  const probe = await h.lock({ id, sha256: bundle.sha256, configHash: hash, unchangedHistory: unchanged });
  if (probe.lock === 'unchanged') {
    title(`already on ${id} with these configs: nothing to do`);
    return { from: id, to: id, configHash: hash, upToDate: true, staged: false, uploadedBytes: 0 };
  }
  // another host of this run was refused its lock: stop before any upload (the winner waits for this lock)
  stopIfRefused(s, d);
  // a host already holding the verified artifact serves it to the others (--relay)
  if (d.relay && !d.dryRun && probe.cachedSha256 === bundle.sha256) await d.relay.offer(s);
  if (!probe.releasePresent && needsRuntime(d.definition, s.host))
    checkRuntime(bundle.manifest, s.host.name, runtimeOf(probe));
  const set = {
    hash,
    ...(env ? { envFile: { owner: env.owner } } : {}),
    configs: configs.map((c) => ({
      target: c.target,
      validate: (file: string) => validatorFor(c.validate, file, d.definition.program),
    })),
  };
  const result = (uploadedBytes: number, staged: boolean): HostPlan => ({
    from: probe.current,
    to: id,
    before: { previous: probe.previous },
    configHash: hash,
    uploadedBytes,
    staged,
    upToDate: probe.current === id && probe.configLink === `configs/${hash}`,
  });
  if (probe.releasePresent) {
    if (probe.configsPresent) {
      title(`release ${id} already staged`);
      const r = result(0, false);
      if (d.dryRun)
        s.planNote(
          'staged',
          r.upToDate ? `already on ${id} with these configs: nothing to do` : `release ${id} already there: no upload`,
        );
      return r;
    }
    const command = stageConfigsCommand(paths, id, set);
    if (d.dryRun) {
      planEnvFile(s, env);
      s.plan('stage-configs', `stage changed configs for releases/${id}`, command);
      return result(0, true);
    }
    title('stage + validate changed configs');
    await stageOrFail(s, command, `stage configs releases/${id}/configs/${hash}`, files);
    return result(0, true);
  }
  let uploadedBytes = 0;
  if (probe.cachedSha256 !== bundle.sha256) {
    if (probe.cachedSha256) s.log.line(`cached artifact is corrupt (sha256 ${probe.cachedSha256}): uploading again`);
    if (d.dryRun) {
      const size = { bytes: bundle.size };
      s.plan('upload', `upload ${humanBytes(bundle.size)}`, uploadCommand(paths, bundle.sha256, d.runId), size);
    } else uploadedBytes = d.relay ? await d.relay.obtain(s, title) : await uploadArtifact(s, d, title);
  } else if (d.dryRun) s.planNote('upload', 'no upload: the artifact is cached on the host');
  const command = stageCommand({
    paths,
    id,
    sha256: bundle.sha256,
    shared: d.definition.shared,
    sharedFiles: d.definition.sharedFiles,
    envPath: env?.path,
    configSet: set,
  });
  if (d.dryRun) {
    planEnvFile(s, env);
    const linked = [...d.definition.shared, ...(d.definition.sharedFiles ?? []).map((f) => f.path)];
    const shared = linked.length ? `, link shared ${linked.join(', ')}` : '';
    s.plan('stage', `stage releases/${id}: extract, validate ${configs.length} config(s)${shared}`, command);
    return result(uploadedBytes, true);
  }
  title('extract + validate configs');
  await stageOrFail(s, command, `stage releases/${id}`, files);
  return result(uploadedBytes, true);
}

/** Run a stage command with this host's configs tar on stdin (a failure keeps host, step, exit code and output). */
async function stageOrFail(
  s: HostSession,
  command: Command,
  title: string,
  configs: readonly TarFile[],
): Promise<void> {
  await s.exec(command, { title, id: 'stage', stdin: await configsTar(configs) });
}
