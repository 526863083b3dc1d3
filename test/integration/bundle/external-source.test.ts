import { afterAll, expect, test } from 'vitest';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { buildBundle, renderConfigs, renderContext } from '../../../src/bundle/index.js';
import { extractWithTar } from './archive-check.js';
import { git } from './demo-repo.js';

const cleanup: string[] = [];
afterAll(async () => {
  for (const d of cleanup) await rm(d, { recursive: true, force: true });
});

test(
  'sources from another local git repo + path: ' +
    'the tree comes from that repo at the tag; templates from the bundle dir',
  async () => {
    const top = await mkdtemp(`${tmpdir()}/ferry-ext-`);
    cleanup.push(top);
    const repo = `${top}/appsrc`;
    await mkdir(`${repo}/svc`, { recursive: true });
    await writeFile(`${repo}/svc/main.txt`, 'v1\n');
    await writeFile(`${repo}/README`, 'outside the path\n');
    await git(repo, 'init', '-q');
    await git(repo, 'add', '-A');
    await git(repo, 'commit', '-q', '-m', 'one');
    await git(repo, 'tag', 'r1');
    await writeFile(`${repo}/svc/main.txt`, 'uncommitted\n');

    const project = `${top}/project`;
    await mkdir(`${project}/bundles/ext/templates`, { recursive: true });
    await writeFile(
      `${project}/bundles/ext/bundle.ts`,
      "import { defineBundle } from '../../src/bundle/define-bundle.js';\n" +
        "export default defineBundle({ name: 'ext', source: { repo: '../../../appsrc', path: 'svc' }, " +
        "env: { kind: 'none' },\n" +
        "  configs: [{ template: 'templates/x.conf.liquid', target: 'x.conf' }] });\n",
    );
    await writeFile(
      `${project}/bundles/ext/templates/x.conf.liquid`,
      'host={{ host.name }} release={{ release.path }}\n',
    );

    const b = await buildBundle({ projectDir: project, name: 'ext', tag: 'r1' });
    expect(b.manifest.source).toEqual({ repo, path: 'svc' });
    expect(b.manifest.files.map((f) => f.path)).toEqual(['app/main.txt']);
    const x = await extractWithTar(b.archivePath);
    cleanup.push(x);
    expect(await readFile(`${x}/app/main.txt`, 'utf8')).toBe('v1\n');
    // the definition inside the archive carries no control-machine paths
    expect(JSON.parse(await readFile(`${x}/manifest.json`, 'utf8')).definition.source).toBeUndefined();

    const web1 = { name: 'web1', address: '10.0.0.1', roles: ['app'], attrs: {} };
    const [cfg] = await renderConfigs(b, renderContext(b, web1, [web1]));
    expect(cfg?.content).toBe(`host=web1 release=/srv/ext/releases/${b.id}\n`);
    // rendering later uses the copy in the cache, not the project's (possibly edited) template
    await writeFile(`${project}/bundles/ext/templates/x.conf.liquid`, 'edited {{ nope }}\n');
    const [again] = await renderConfigs(b, renderContext(b, web1, [web1]));
    expect(again?.content).toBe(cfg?.content);
  },
);
