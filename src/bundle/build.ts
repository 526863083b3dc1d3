import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, readdir, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { posix, relative, resolve } from 'node:path';
import { ProjectError, UsageError } from '../errors/index.js';
import { archiveTree, commitTime, objectType, repoRoot, resolveRef, resolveTag, workTreeDiffers } from './git.js';
import { loadDefinition, definitionFile } from './load-definition.js';
import { installNodeEnv, pruneNodeEnv } from './env-node.js';
import { definitionDigest, definitionFiles } from './definition-digest.js';
import { buildPythonEnv } from './env-python.js';
import { cleanEnv } from './clean-env.js';
import { runLocal } from '../runner/run-local.js';
import { archiveVerifies, stampVerified } from './archive-stamp.js';
import { bundleId, bundleIdPrefix } from './bundle-id.js';
import { MANIFEST_FORMAT, manifestJson, type ArchiveManifest, type EnvInfo, type Manifest } from './manifest.js';
import {
  archivePath,
  builtFrom,
  cacheDir,
  manifestPath,
  removeCached,
  stampPath,
  treeDir,
  type BuiltBundle,
} from './cache.js';
import type { BundleDefinition, BundleSource } from './definition.js';

export interface BuildOptions {
  readonly projectDir: string;
  readonly name: string;
  /** a revision tag; with `ref`, a branch or commit */
  readonly tag: string;
  /** `tag` is a branch or commit (`--ref`): the id then names the commit it resolved to */
  readonly ref?: boolean | undefined;
  /** build again even when the same build is cached (`--rebuild`) */
  readonly rebuild?: boolean | undefined;
  readonly onProgress?: (msg: string) => void;
}

async function bundleNames(projectDir: string): Promise<string[]> {
  const names = await readdir(`${projectDir}/bundles`).catch(() => [] as string[]);
  return names.filter((n) => definitionFile(`${projectDir}/bundles/${n}`) !== undefined).sort();
}

interface Located {
  readonly source: BundleSource;
  readonly bundleDir: string;
  /** the definition file, relative to the bundle folder */
  readonly file: string;
  /** the bundle folder inside the source repo when it is the app itself (definition taken at the tag) */
  readonly inTree?: string | undefined;
  /** otherwise the definition and templates are the project's, as they are now */
  readonly definition: BundleDefinition;
}

/** `'.'`, `'./svc/'` → `''`, `'svc'`: the form `git archive <commit>:<path>` takes. */
function sourcePath(p: string): string {
  const n = posix.normalize(p).replace(/\/+$/, '');
  return n === '.' ? '' : n;
}

/**
 * Where the sources of bundle `name` live, from the project's definition. By default the bundle
 * folder is the app, and the definition and templates come from the same revision. With `source`
 * (another repository, or another folder of this one, e.g. `path: '.'` for an app at its repo's
 * root), the app comes from there and the definition and templates from the project's folder.
 */
async function locateSource(projectDir: string, name: string): Promise<Located> {
  const bundleDir = `${projectDir}/bundles/${name}`;
  const file = definitionFile(bundleDir);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) || file === undefined) {
    const known = await bundleNames(projectDir);
    const hint = known.length ? `; bundles: ${known.join(', ')}` : ` (no bundles/*/bundle.ts in ${projectDir})`;
    throw new UsageError(`unknown bundle '${name}'${hint}`);
  }
  const rel = file.slice(bundleDir.length + 1);
  const { source, definition } = await loadDefinition(file, `bundles/${name}/${rel}`, name);
  if (source?.repo === undefined) {
    const realDir = await realpath(bundleDir);
    const repo = await repoRoot(realDir);
    const own = relative(repo, realDir);
    const path = source?.path === undefined ? own : sourcePath(source.path);
    return { source: { repo, path }, bundleDir, file: rel, definition, inTree: path === own ? own : undefined };
  }
  const repo = await repoRoot(resolve(bundleDir, source.repo));
  return { source: { repo, path: sourcePath(source.path ?? '') }, bundleDir, file: rel, definition };
}

/** A cached build of exactly this name+tag+commit whose archive still verifies. */
async function cached(
  projectDir: string,
  name: string,
  tag: string,
  commit: string,
  digest: string | undefined,
): Promise<BuiltBundle | undefined> {
  const prefix = bundleIdPrefix(name, tag, commit);
  const names = await readdir(cacheDir(projectDir)).catch(() => [] as string[]);
  for (const n of names.filter((x) => x.startsWith(prefix) && x.endsWith('.manifest.json')).sort()) {
    const id = n.slice(0, -'.manifest.json'.length);
    const m = JSON.parse(await readFile(manifestPath(projectDir, id), 'utf8').catch(() => 'null')) as Manifest | null;
    // another definition of the same commit is another build, kept (a rollback may want it)
    if (m !== null && m.format === MANIFEST_FORMAT && m.definitionDigest !== digest) continue;
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
  const complete = new Set(names.filter((x) => x.endsWith('.manifest.json')).map((x) => x.slice(0, -14)));
  for (const n of names.filter((x) => x.startsWith(prefix) && !x.endsWith('.manifest.json'))) {
    const id = n.replace(/\.tar\.gz$/, '');
    if (!complete.has(id)) await removeCached(projectDir, id);
  }
  return undefined;
}

/**
 * Build bundle `name` at revision `tag` (or a branch or commit) into the project's cache, or
 * reuse the cached build of the same commit and definition. The tree comes from `git archive`
 * of the commit; the env is built in a clean staging dir; the archive is reproducible.
 */
export async function buildBundle(opts: BuildOptions): Promise<BuiltBundle> {
  const projectDir = resolve(opts.projectDir);
  const { name, tag } = opts;
  const progress = opts.onProgress ?? (() => undefined);
  const located = await locateSource(projectDir, name);
  const { source, bundleDir, inTree } = located;
  const commit = opts.ref ? await resolveRef(source.repo, tag) : await resolveTag(source.repo, tag);
  const at = `${opts.ref ? 'ref' : 'tag'} ${tag}`;
  if ((await objectType(source.repo, commit, source.path)) !== 'tree') {
    throw new UsageError(`'${source.path || '.'}' is not a folder at ${at} (${commit.slice(0, 7)}) of ${source.repo}`);
  }
  const digest = inTree === undefined ? definitionDigest(located.definition, bundleDir) : undefined;
  const hit = opts.rebuild ? undefined : await cached(projectDir, name, tag, commit, digest);
  if (hit) {
    if (inTree !== undefined) await noteEdits(located, commit, hit.manifest.definition, progress);
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

    let definition = located.definition;
    if (inTree !== undefined) {
      const tagged = definitionFile(app);
      if (tagged === undefined) {
        throw new ProjectError(
          { file: `${display}/${located.file}` },
          `missing at ${at}: commit the bundle definition before tagging`,
        );
      }
      definition = (await loadDefinition(tagged, `${display}/${tagged.slice(app.length + 1)} (at ${tag})`, name))
        .definition;
      await noteEdits(located, commit, definition, progress);
    }
    const templatesRoot = inTree === undefined ? bundleDir : app;
    for (const [i, c] of definition.configs.entries()) {
      if (!existsSync(`${templatesRoot}/${c.template}`)) {
        throw new ProjectError(
          { file: `${display}/${c.template}` },
          `missing${templatesRoot === app ? ` at ${at}` : ''} (configs.${i}.template)`,
        );
      }
    }

    const hadModules = existsSync(`${app}/node_modules`);
    let env: EnvInfo = { kind: 'none' };
    if (definition.env.kind === 'node') {
      progress('env: npm ci (with devDependencies, for the build)');
      await installNodeEnv(app, display, definition.env.scripts);
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
    if (definition.env.kind === 'node') {
      progress('env: npm prune --omit=dev');
      env = await pruneNodeEnv(app);
    }

    progress('hash files, archive');
    const tmpArchive = `${staging}/archive.tar.gz`;
    const meta: Omit<ArchiveManifest, 'files'> = {
      format: MANIFEST_FORMAT,
      name,
      tag,
      ...(opts.ref ? { ref: true } : {}),
      commit,
      commitTime: new Date(epoch * 1000).toISOString(),
      env,
      definition,
      ...(digest !== undefined ? { definitionDigest: digest } : {}),
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
      // the whole folder, so partials render from the same copy the digest covered
      for (const f of definitionFiles(bundleDir)) {
        await cp(`${bundleDir}/${f}`, `${treeDir(projectDir, id)}/bundle/${f}`);
      }
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

/** A definition or template edited since the tag is not used: say so, never silently. */
async function noteEdits(
  located: Located,
  commit: string,
  definition: BundleDefinition,
  progress: (msg: string) => void,
): Promise<void> {
  const inRepo = (p: string) => (located.inTree ? `${located.inTree}/${p}` : p);
  const dirs = new Set(definition.configs.map((c) => posix.dirname(c.template)));
  const templates = definition.configs.map((c) => c.template);
  const paths = [located.file, ...templates, ...[...dirs].filter((d) => d !== '.')].map(inRepo);
  if (await workTreeDiffers(located.source.repo, commit, paths)) {
    progress(
      `note: bundles/${definition.name}/${located.file} or its templates have edits not in this revision; ` +
        "the revision's are used (commit and tag them to deploy them)",
    );
  }
}
