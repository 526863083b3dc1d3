import { Command } from 'commander';
import { UsageError } from '../errors/index.js';
import type { Host } from '../inventory/types.js';
import {
  buildBundle,
  listBundles,
  loadBundle,
  removeCached,
  renderConfigs,
  renderContext,
  type BuiltBundle,
} from '../bundle/index.js';
import { addRevisionOptions, revision, type RevisionFlags } from './revision-options.js';
import { renderEnvFile, secretNames } from '../bundle/env-file.js';
import { bundleFileShown } from '../secrets/host-env-files.js';

export interface BundleProject {
  readonly dir: string;
  readonly hosts: readonly Host[];
}

function human(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let v = bytes / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ')).join('\n');
}

function summary(b: BuiltBundle): Record<string, unknown> {
  const m = b.manifest;
  return {
    id: b.id,
    name: m.name,
    tag: m.tag,
    commit: m.commit,
    size: b.size,
    sha256: b.sha256,
    builtAt: m.builtAt,
    archive: b.archivePath,
  };
}

const out = (text: string): void => {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
};

/** `--json` after `bundle ls`: when mounted under `ferry`, the global `--json [file]` takes the flag. */
function wantsJson(opts: { json?: boolean }, self: Command): boolean {
  return opts.json === true || self.optsWithGlobals<{ json?: unknown }>().json === true;
}

/** `ferry bundle build|ls|show|render|rm`: mounted on the main program by the CLI entry. */
export function bundleCommand(loadProject: () => Promise<BundleProject>): Command {
  const bundle = new Command('bundle').description('build, list, inspect and render versioned bundles');

  addRevisionOptions(
    bundle
      .command('build')
      .description('build bundle <name> at revision tag into .ferry/cache/bundles (reused when already built)')
      .argument('<name>', 'bundle folder under bundles/'),
  )
    .option('--json', 'print the result as JSON')
    .action(async (name: string, opts: RevisionFlags & { json?: boolean }, self: Command) => {
      const project = await loadProject();
      const quiet = wantsJson(opts, self);
      const b = await buildBundle({
        projectDir: project.dir,
        name,
        ...revision(opts),
        onProgress: quiet ? undefined : (m) => process.stderr.write(`[${name}] ${m}\n`),
      });
      if (quiet) out(JSON.stringify(summary(b), null, 2));
      else
        out(
          `${b.archivePath}\n  id      ${b.id}\n  sha256  ${b.sha256}\n` +
            `  size    ${human(b.size)}\n  files   ${b.manifest.files.length}`,
        );
    });

  bundle
    .command('ls')
    .description('cached bundles: id, tag, commit, size, built')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }, self: Command) => {
      const project = await loadProject();
      const all = await listBundles(project.dir);
      if (wantsJson(opts, self)) return out(JSON.stringify(all.map(summary), null, 2));
      if (all.length === 0) return out('no bundles built yet (ferry bundle build <name> --tag <tag>)');
      out(
        table([
          ['ID', 'TAG', 'COMMIT', 'SIZE', 'BUILT'],
          ...all.map((b) => [
            b.id,
            b.manifest.tag,
            b.manifest.commit.slice(0, 12),
            human(b.size),
            b.manifest.builtAt ?? '-',
          ]),
        ]),
      );
    });

  bundle
    .command('show')
    .description('print the manifest of a cached bundle')
    .argument('<id>', 'bundle id (see `ferry bundle ls`)')
    .option('--no-files', 'leave out the per-file list')
    .action(async (id: string, opts: { files: boolean }) => {
      const project = await loadProject();
      const b = await loadBundle(project.dir, id);
      const m = opts.files ? b.manifest : { ...b.manifest, files: `${b.manifest.files.length} files` };
      out(JSON.stringify(m, null, 2));
    });

  addRevisionOptions(
    bundle
      .command('render')
      .description('the configs of bundle <name> at a tag, as a host would get them')
      .argument('<name>', 'bundle folder under bundles/'),
  )
    .requiredOption('--host <host>', 'inventory host to render for')
    .option('--target <target>', 'only this config target')
    .action(async (name: string, opts: RevisionFlags & { host: string; target?: string }) => {
      const project = await loadProject();
      const host = project.hosts.find((h) => h.name === opts.host);
      if (!host)
        throw new UsageError(
          `unknown host '${opts.host}'; hosts: ${project.hosts.map((h) => h.name).join(', ') || '(none)'}`,
        );
      const b = await buildBundle({
        projectDir: project.dir,
        name,
        ...revision(opts),
        onProgress: (m) => process.stderr.write(`[${name}] ${m}\n`),
      });
      let configs = await renderConfigs(b, renderContext(b, host, project.hosts));
      if (opts.target !== undefined) {
        const known = configs.map((c) => c.target);
        configs = configs.filter((c) => c.target === opts.target);
        if (configs.length === 0)
          throw new UsageError(
            `${host.name} gets no config '${opts.target}' from ${b.id}; it gets: ${known.join(', ') || '(none)'}`,
          );
      }
      // the env file too, its secrets as *** (none is looked up)
      const def = b.manifest.definition;
      const masked = new Map(secretNames(def).map((n) => [n, '***']));
      const env =
        opts.target === undefined ? renderEnvFile(def, host, masked, bundleFileShown(project.dir, name)) : undefined;
      if (configs.length === 0 && !env)
        return out(`# ${host.name} (roles ${host.roles.join(', ')}) gets no configs from ${b.id}`);
      const release = renderContext(b, host, project.hosts).release.path;
      out(
        [
          ...configs.map(
            (c) => `# ==> ${release}/config/${c.target}${c.link ? ` (linked from ${c.link})` : ''}\n${c.content}`,
          ),
          ...(env ? [`# ==> ${release}/${env.path} (0600; secrets as ***)\n${env.shown}`] : []),
        ].join('\n'),
      );
    });

  bundle
    .command('rm')
    .description('remove cached bundles (the archive, its manifest and its tree); deployed releases stay')
    .argument('<id...>', 'bundle ids (see `ferry bundle ls`)')
    .action(async (ids: string[]) => {
      const project = await loadProject();
      const found = await Promise.all(ids.map((id) => loadBundle(project.dir, id))); // all known, or nothing
      for (const b of found) {
        await removeCached(project.dir, b.id);
        out(`removed ${b.id}`);
      }
    });

  return bundle;
}
