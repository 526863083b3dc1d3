import { FailedError } from '../errors/failed-error.js';
import { renderConfigs, renderContext } from '../bundle/render.js';
import { checkRuntime, needsRuntime, type HostRuntime } from '../bundle/runtime-check.js';
import { stageCommand } from '../ops/release/stage.js';
import { uploadCommand } from '../ops/release/upload.js';
import type { HostSession } from '../runner/host-session.js';
import type { ProbeResult } from '../facts/release/probe.js';
import type { DeployContext } from './deploy-context.js';
import { configsTar } from './configs-tar.js';
import { validatorFor } from './services.js';
import { takeLockAndProbe } from './take-lock.js';
import { uploadArtifact } from './upload-artifact.js';

export interface StageResult {
  readonly probe: ProbeResult;
  readonly locked: boolean;
  readonly uploadedBytes: number;
  readonly staged: boolean;
}

function runtimeOf(p: ProbeResult): HostRuntime {
  return { node: p.node ?? undefined, python: p.python ?? undefined };
}

/**
 * Stage one host: lock + probe → upload unless the cache has the sha256 → extract to .partial,
 * configs, shared links, validate → rename. Nothing is switched. In --dry-run only the plan is recorded.
 */
export async function stageHost(s: HostSession, d: DeployContext, title: (t: string) => void): Promise<StageResult> {
  const { paths } = d;
  const bundle = d.bundle;
  if (!bundle) throw new Error('stageHost needs a built bundle');
  const id = bundle.id;
  const probe = await takeLockAndProbe(s, d, id, bundle.sha256, title);
  const locked = probe.lock === 'acquired';
  if (needsRuntime(d.definition, s.host)) checkRuntime(bundle.manifest, s.host.name, runtimeOf(probe));
  let uploadedBytes = 0;
  if (probe.releasePresent) {
    title(`release ${id} already staged`);
    return { probe, locked, uploadedBytes, staged: false };
  }
  if (probe.cachedSha256 !== bundle.sha256) {
    if (probe.cachedSha256) s.log.line(`cached artifact is corrupt (sha256 ${probe.cachedSha256}): uploading again`);
    if (d.dryRun) s.plan('upload', `upload ${bundle.size} bytes`, uploadCommand(paths, bundle.sha256, d.runId));
    else uploadedBytes = await uploadArtifact(s, d, title);
  }
  title('render configs');
  const configs = await renderConfigs(bundle, renderContext(bundle, s.host, d.allHosts));
  const part = paths.partial(id);
  const command = stageCommand({
    paths, id, sha256: bundle.sha256, shared: bundle.manifest.definition.shared,
    configs: configs.map((c) => ({ target: c.target, validate: validatorFor(c.validate, `${part}/config/${c.target}`, d.definition.program) })),
  });
  if (d.dryRun) {
    s.plan('stage', `extract + validate ${configs.length} config(s) → releases/${id}`, command);
    return { probe, locked, uploadedBytes, staged: true };
  }
  title('extract + validate configs');
  try {
    await s.exec(command, { title: `stage releases/${id}`, id: 'stage', stdin: await configsTar(configs) });
  } catch (err) {
    throw new FailedError(`[${s.host.name}] staging failed: ${(err as Error).message}`, s.host.name, { cause: err });
  }
  return { probe, locked, uploadedBytes, staged: true };
}
