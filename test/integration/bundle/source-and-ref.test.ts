import { afterAll, describe, expect, test } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { buildBundle, renderConfigs, renderContext, type BuiltBundle } from '../../../src/bundle/index.js';
import { UsageError } from '../../../src/errors/index.js';
import { extractWithTar } from './archive-check.js';
import { demoProject, git } from './demo-repo.js';

const cleanup: string[] = [];
afterAll(async () => {
  for (const d of cleanup) await rm(d, { recursive: true, force: true });
});

const web1 = { name: 'web1', address: '10.0.0.1', roles: ['app'], attrs: { greeting: 'hi' } };
const render = async (b: BuiltBundle) => (await renderConfigs(b, renderContext(b, web1, [web1])))[0]?.content;

/** An app at its repository's root, with ferry's bundle folder inside the same repository. */
async function appAtRoot(): Promise<string> {
  const repo = await mkdtemp(`${tmpdir()}/ferry-root-app-`);
  cleanup.push(repo);
  await writeFile(`${repo}/main.txt`, 'v1\n');
  await writeFile(`${repo}/.gitignore`, '.ferry/\n');
  await mkdir(`${repo}/bundles/app/templates/partials`, { recursive: true });
  await writeFile(
    `${repo}/bundles/app/bundle.ts`,
    "import { defineBundle } from 'ferry';\n" +
      "export default defineBundle({ name: 'app', source: { path: '.' }, env: { kind: 'none' },\n" +
      "  configs: [{ template: 'templates/app.conf.liquid', target: 'app.conf' }] });\n",
  );
  await writeFile(
    `${repo}/bundles/app/templates/app.conf.liquid`,
    "say={{ host.attrs.greeting }} {% render 'templates/partials/p.liquid' %}\n",
  );
  await writeFile(`${repo}/bundles/app/templates/partials/p.liquid`, 'one');
  await git(repo, 'init', '-q');
  await git(repo, 'add', '-A');
  await git(repo, 'commit', '-q', '-m', 'one');
  await git(repo, 'tag', 'v1');
  return repo;
}

describe("source: { path: '.' } (the app at its repository's root)", () => {
  test('builds the whole repository at the tag; the definition and templates are the project folder', async () => {
    const repo = await appAtRoot();
    const b = await buildBundle({ projectDir: repo, name: 'app', tag: 'v1' });
    expect(b.manifest.source).toEqual({ repo, path: '' });
    expect(b.manifest.files.map((f) => f.path)).toContain('app/main.txt');
    expect(b.manifest.definitionDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(await render(b)).toBe('say=hi one\n');
    const again = await buildBundle({ projectDir: repo, name: 'app', tag: 'v1' });
    expect(again.id).toBe(b.id);
  });

  test('an edited template or partial, or bundle.ts, is a new build with a new id; --rebuild builds again', async () => {
    const repo = await appAtRoot();
    const v1 = await buildBundle({ projectDir: repo, name: 'app', tag: 'v1' });

    await writeFile(
      `${repo}/bundles/app/templates/app.conf.liquid`,
      "said={{ host.attrs.greeting }} {% render 'templates/partials/p.liquid' %}\n",
    );
    const msgs: string[] = [];
    const edited = await buildBundle({ projectDir: repo, name: 'app', tag: 'v1', onProgress: (m) => msgs.push(m) });
    expect(msgs.some((m) => m.startsWith('cached'))).toBe(false);
    expect(edited.id).not.toBe(v1.id);
    expect(edited.manifest.commit).toBe(v1.manifest.commit);
    expect(await render(edited)).toBe('said=hi one\n');
    // the earlier build renders what it was built with
    expect(await render(v1)).toBe('say=hi one\n');

    await writeFile(`${repo}/bundles/app/templates/partials/p.liquid`, 'two');
    const partial = await buildBundle({ projectDir: repo, name: 'app', tag: 'v1' });
    expect(partial.id).not.toBe(edited.id);
    expect(await render(partial)).toBe('said=hi two\n');

    const def = await readFile(`${repo}/bundles/app/bundle.ts`, 'utf8');
    await writeFile(
      `${repo}/bundles/app/bundle.ts`,
      def.replace("env: { kind: 'none' }", "env: { kind: 'none' }, keep: 3"),
    );
    const kept = await buildBundle({ projectDir: repo, name: 'app', tag: 'v1' });
    expect(kept.id).not.toBe(partial.id);
    expect(kept.manifest.definition.keep).toBe(3);

    const forced: string[] = [];
    const rebuilt = await buildBundle({
      projectDir: repo,
      name: 'app',
      tag: 'v1',
      rebuild: true,
      onProgress: (m) => forced.push(m),
    });
    expect(forced.some((m) => m.startsWith('checkout'))).toBe(true);
    expect(rebuilt.id).toBe(kept.id); // reproducible: the same inputs give the same bytes
  });

  test("a path outside the repository ('..') is refused in the definition", async () => {
    const repo = await appAtRoot();
    const file = `${repo}/bundles/app/bundle.ts`;
    await writeFile(file, (await readFile(file, 'utf8')).replace("path: '.'", "path: '../x'"));
    const err = await buildBundle({ projectDir: repo, name: 'app', tag: 'v1' }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/source\.path: must be a relative path without "\.\."/);
  });
});

describe('--ref: a branch or a commit', () => {
  test('the id names the commit the branch is at; a moved branch is a new build; an abbreviated commit', async () => {
    const repo = await appAtRoot();
    await git(repo, 'checkout', '-q', '-b', 'feature/x');
    await writeFile(`${repo}/main.txt`, 'v2\n');
    await git(repo, 'commit', '-q', '-am', 'two');
    const head = await git(repo, 'rev-parse', 'HEAD');
    const b = await buildBundle({ projectDir: repo, name: 'app', tag: 'feature/x', ref: true });
    expect(b.manifest.commit).toBe(head);
    expect(b.manifest.ref).toBe(true);
    expect(b.id).toMatch(new RegExp(`^app-feature_x-${head.slice(0, 7)}-[0-9a-f]{8}$`));
    const x = await extractWithTar(b.archivePath);
    cleanup.push(x);
    expect(await readFile(`${x}/app/main.txt`, 'utf8')).toBe('v2\n');

    await writeFile(`${repo}/main.txt`, 'v3\n');
    await git(repo, 'commit', '-q', '-am', 'three');
    const moved = await buildBundle({ projectDir: repo, name: 'app', tag: 'feature/x', ref: true });
    expect(moved.manifest.commit).toBe(await git(repo, 'rev-parse', 'HEAD'));
    expect(moved.id).not.toBe(b.id);

    const byCommit = await buildBundle({ projectDir: repo, name: 'app', tag: head.slice(0, 9), ref: true });
    expect(byCommit.manifest.commit).toBe(head);
    expect(byCommit.id.startsWith(`app-${head.slice(0, 9)}-${head.slice(0, 7)}-`)).toBe(true);

    const err = await buildBundle({ projectDir: repo, name: 'app', tag: 'no-such', ref: true }).catch((e) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toContain("unknown branch or commit 'no-such'");
    // --tag still means a tag: a branch name is not one
    const notTag = await buildBundle({ projectDir: repo, name: 'app', tag: 'feature/x' }).catch((e) => e);
    expect((notTag as Error).message).toContain("unknown tag 'feature/x'");
  });
});

describe('node: the build has devDependencies, the bundle only production ones', () => {
  test('a build step uses a devDependency (kleur); after the build it is pruned', async () => {
    const project = await demoProject(['demo']);
    cleanup.push(project);
    const file = `${project}/bundles/demo/bundle.ts`;
    const step = "['node', '-e', \"require('kleur'); require('fs').writeFileSync('built.txt', 'ok')\"]";
    await writeFile(file, (await readFile(file, 'utf8')).replace("env: { kind: 'node' },", `$&\n  build: [${step}],`));
    await git(project, 'commit', '-q', '-am', 'a build step that needs a devDependency');
    await git(project, 'tag', 'v2');
    const b = await buildBundle({ projectDir: project, name: 'demo', tag: 'v2' });
    const x = await extractWithTar(b.archivePath);
    cleanup.push(x);
    expect(await readFile(`${x}/app/built.txt`, 'utf8')).toBe('ok');
    expect(existsSync(`${x}/app/node_modules/ms/package.json`)).toBe(true);
    expect(existsSync(`${x}/app/node_modules/kleur`)).toBe(false);
  });

  test('in-tree definition: an uncommitted edit of bundle.ts or a template is named, not silently used', async () => {
    const project = await demoProject(['demo']);
    cleanup.push(project);
    const tpl = `${project}/bundles/demo/templates/supervisor.conf.liquid`;
    await writeFile(tpl, `${await readFile(tpl, 'utf8')}# edited\n`);
    const msgs: string[] = [];
    const b = await buildBundle({ projectDir: project, name: 'demo', tag: 'v1.1.0', onProgress: (m) => msgs.push(m) });
    expect(msgs.filter((m) => m.startsWith('note:'))).toEqual([
      "note: bundles/demo/bundle.ts or its templates have edits not in this revision; the revision's are used " +
        '(commit and tag them to deploy them)',
    ]);
    expect(b.manifest.definitionDigest).toBeUndefined();
    await git(project, 'checkout', '--', '.');
    const clean: string[] = [];
    await buildBundle({ projectDir: project, name: 'demo', tag: 'v1.1.0', onProgress: (m) => clean.push(m) });
    expect(clean.filter((m) => m.startsWith('note:'))).toEqual([]);
    // a cached build says so too
    await writeFile(`${project}/bundles/demo/bundle.ts`, '// edited\n', { flag: 'a' });
    const cached: string[] = [];
    await buildBundle({ projectDir: project, name: 'demo', tag: 'v1.1.0', onProgress: (m) => cached.push(m) });
    expect(cached.map((m) => m.split(' ')[0])).toEqual(['note:', 'cached']);
  });
});
