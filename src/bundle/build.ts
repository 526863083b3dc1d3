import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, readdir, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { ProjectError, UsageError } from '../errors/index.js';
import { archiveTree, commitTime, objectType, repoRoot, resolveTag } from './git.js';
import { loadDefinition, definitionFile } from './load-definition.js';
import { buildNodeEnv } from './env-node.js';
import { buildPythonEnv } from './env-python.js';
import { cleanEnv } from './clean-env.js';
import { runLocal } from '../runner/run-local.js';
import { archiveVerifies, stampVerified } from './archive-stamp.js';
import { bundleId, bundleIdPrefix } from './bundle-id.js';
import { MANIFEST_FORMAT, manifestJson, type ArchiveManifest, type EnvInfo, type Manifest } from './manifest.js';
import { archivePath, builtFrom, cacheDir, manifestPath, stampPath, treeDir, type BuiltBundle } from './cache.js';
import type { BundleDefinition, BundleSource } from './definition.js';

export interface BuildOptions {
  readonly projectDir: string;
  readonly name: string;
  readonly tag: string;
  readonly onProgress?: (msg: string) => void;
}

async function bundleNames(projectDir: string): Promise<string[]> {
  const names = await readdir(`${projectDir}/bundles`).catch(() => [] as string[]);
  return names.filter((n) => definitionFile(`${projectDir}/bundles/${n}`) !== undefined).sort();
}

/** Where the sources of bundle `name` live, from the project's definition. */
async function locateSource(
  projectDir: string,
  name: string,
): Promise<{ source: BundleSource; bundleDir: string; external: boolean }> {
  const bundleDir = `${projectDir}/bundles/${name}`;
  const file = definitionFile(bundleDir);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) || file === undefined) {
    const known = await bundleNames(projectDir);
    const hint = known.length ? `; bundles: ${known.join(', ')}` : ` (no bundles/*/bundle.ts in ${projectDir})`;
    throw new UsageError(`unknown bundle '${name}'${hint}`);
  }
  const display = `bundles/${name}/${file.slice(bundleDir.length + 1)}`;
  const { source } = await loadDefinition(file, display, name);
  if (source?.repo === undefined) {
    const realDir = await realpath(bundleDir);
    const repo = await repoRoot(realDir);
    const path = source?.path ?? relative(repo, realDir);
    return { source: { repo, path }, bundleDir, external: false };
  }
  const repo = await repoRoot(resolve(bundleDir, source.repo));
  return { source: { repo, path: source.path ?? '' }, bundleDir, external: true };
}

/** A cached build of exactly this name+tag+commit whose archive still verifies. */
async function cached(projectDir: string, name: string, tag: string, commit: string): Promise<BuiltBundle | undefined> {
  const prefix = bundleIdPrefix(name, tag, commit);
  const names = await readdir(cacheDir(projectDir)).catch(() => [] as string[]);
  for (const n of names.filter((x) => x.startsWith(prefix) && x.endsWith('.manifest.json')).sort()) {
    const id = n.slice(0, -'.manifest.json'.length);
    const m = JSON.parse(await readFile(manifestPath(projectDir, id), 'utf8').catch(() => 'null')) as Manifest | null;
    const ok =
      m !== null &&
      m.format === MANIFEST_FORMAT &&
      m.commit === commit &&
      m.tag === tag &&
      existsSync(`${treeDir(projectDir, id)}/app`) &&
      (await archiveVerifies(stampPath(projectDir, id), archivePath(projectDir, id), m.sha256));
    if (ok) return builtFrom(projectDir, m);
    await removeCached(projectDir, id); // stale: damaged archive, older format
  }
  // leftovers without a manifest (an interrupted build, a deleted manifest) are incomplete
  for (const n of names.filter((x) => x.startsWith(prefix) && !x.endsWith('.manifest.json'))) {
    await removeCached(projectDir, n.replace(/\.tar\.gz$/, ''));
  }
  return undefined;
}

async function removeCached(projectDir: string, id: string): Promise<void> {
  await rm(manifestPath(projectDir, id), { force: true });
  await rm(archivePath(projectDir, id), { force: true });
  await rm(treeDir(projectDir, id), { recursive: true, force: true });
}

/**
 * Build bundle `name` at revision `tag` into the project's cache (or reuse the cached build of
 * the same commit). The tree comes from `git archive` of the tag's commit, the definition from
 * that tree; the env is built in a clean staging dir; the archive is reproducible.
 */
export async function buildBundle(opts: BuildOptions): Promise<BuiltBundle> {
  const projectDir = resolve(opts.projectDir);
  const { name, tag } = opts;
  const progress = opts.onProgress ?? (() => undefined);
  const { source, bundleDir, external } = await locateSource(projectDir, name);
  const commit = await resolveTag(source.repo, tag);
  if ((await objectType(source.repo, commit, source.path)) !== 'tree') {
    throw new UsageError(
      `'${source.path || '.'}' is not a folder at tag ${tag} (${commit.slice(0, 7)}) of ${source.repo}`,
    );
  }
  const hit = await cached(projectDir, name, tag, commit);
  if (hit) {
    progress(`cached ${hit.id}`);
    return hit;
  }
  await mkdir(cacheDir(projectDir), { recursive: true });
  const staging = await mkdtemp(`${cacheDir(projectDir)}/.staging-${name}-`);
  try {
    const app = `${staging}/app`;
    await mkdir(app);
    progress(`checkout ${tag} (${commit.slice(0, 7)})`);
    await archiveTree(source.repo, commit, source.path, app);
    const epoch = await commitTime(source.repo, commit);
    const display = `bundles/${name}`;

    const tagged = definitionFile(app);
    let definition: BundleDefinition;
    if (tagged !== undefined) {
      definition = (await loadDefinition(tagged, `${display}/${tagged.slice(app.length + 1)} (at ${tag})`, name))
        .definition;
    } else if (external) {
      const file = definitionFile(bundleDir) as string;
      definition = (await loadDefinition(file, `${display}/${file.slice(bundleDir.length + 1)}`, name)).definition;
    } else {
      throw new ProjectError(
        { file: `${display}/bundle.ts` },
        `missing at tag ${tag}: commit the bundle definition before tagging`,
      );
    }
    const templatesRoot = external && tagged === undefined ? bundleDir : app;
    for (const [i, c] of definition.configs.entries()) {
      if (!existsSync(`${templatesRoot}/${c.template}`)) {
        throw new ProjectError(
          { file: `${display}/${c.template}` },
          `missing${templatesRoot === app ? ` at tag ${tag}` : ''} (configs.${i}.template)`,
        );
      }
    }

    const hadModules = existsSync(`${app}/node_modules`);
    let env: EnvInfo = { kind: 'none' };
    if (definition.env.kind === 'node') {
      progress('env: npm ci --omit=dev');
      env = await buildNodeEnv(app, display, definition.env.scripts);
    } else if (definition.env.kind === 'python') {
      progress('env: python venv');
      env = await buildPythonEnv({
        appDir: app,
        envDir: `${staging}/env`,
        display,
        package: definition.env.package,
        python: definition.env.python,
        offline: definition.env.offline,
        epoch,
      });
    }
    for (const [i, argv] of definition.build.entries()) {
      progress(`build: ${argv.join(' ')}`);
      await runLocal(`build step ${i + 1} (${argv[0] ?? ''})`, argv, {
        cwd: app,
        env: cleanEnv({ SOURCE_DATE_EPOCH: String(epoch) }),
      });
    }

    progress('hash files, archive');
    const tmpArchive = `${staging}/archive.tar.gz`;
    const meta: Omit<ArchiveManifest, 'files'> = {
      format: MANIFEST_FORMAT,
      name,
      tag,
      commit,
      commitTime: new Date(epoch * 1000).toISOString(),
      env,
      definition,
    };
    const { packStaged } = await import('./pack.js'); // tar and gzip: only when building
    const { sha256, size, inner } = await packStaged(staging, meta, tmpArchive);
    const id = bundleId(name, tag, commit, sha256);

    await removeCached(projectDir, id);
    await mkdir(treeDir(projectDir, id));
    if (definition.env.kind === 'node' && !hadModules)
      await rm(`${app}/node_modules`, { recursive: true, force: true });
    await rename(app, `${treeDir(projectDir, id)}/app`);
    if (templatesRoot !== app) {
      for (const c of definition.configs)
        await cp(`${templatesRoot}/${c.template}`, `${treeDir(projectDir, id)}/bundle/${c.template}`);
    }
    await rename(tmpArchive, archivePath(projectDir, id));
    await stampVerified(stampPath(projectDir, id), archivePath(projectDir, id), sha256);
    const manifest: Manifest = { ...inner, id, sha256, size, builtAt: new Date().toISOString(), source };
    await writeFile(`${staging}/outer.json`, manifestJson(manifest));
    await rename(`${staging}/outer.json`, manifestPath(projectDir, id)); // last: its presence marks a complete entry
    progress(`built ${id}`);
    return builtFrom(projectDir, manifest);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
