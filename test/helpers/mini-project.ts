import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectGit, type DemoProject } from './demo-project.js';

/**
 * A throwaway project with bundle `mini`: no dependency env, no services (no nginx, supervisor,
 * health gate), one rendered config per host. A deploy is then only upload, extract, switch —
 * light enough for tests of 20+ hosts on a small machine. `padBytes` adds an incompressible file.
 */
export async function makeMiniProject(
  inventoryText: string,
  o: { readonly roles?: readonly string[]; readonly padBytes?: number } = {},
): Promise<DemoProject> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-mini-'));
  const b = join(dir, 'bundles', 'mini');
  await mkdir(join(b, 'templates'), { recursive: true });
  const roles = JSON.stringify(o.roles ?? ['app']);
  await writeFile(
    join(b, 'bundle.ts'),
    "import { defineBundle } from 'ferry';\n" +
      `export default defineBundle({ name: 'mini', env: { kind: 'none' }, roles: ${roles}, keep: 3,\n` +
      "  configs: [{ template: 'templates/app.conf.liquid', target: 'app.conf' }] });\n",
  );
  await writeFile(join(b, 'templates', 'app.conf.liquid'), 'host={{ host.name }} version={{ bundle.tag }}\n');
  await writeFile(join(b, 'version.txt'), '1\n');
  if (o.padBytes) await writeFile(join(b, 'pad.bin'), randomBytes(o.padBytes));
  await writeFile(join(dir, 'inventory.yaml'), inventoryText);
  await writeFile(join(dir, '.gitignore'), '.ferry/\n');
  const git = projectGit(dir);
  git('init', '-q', '-b', 'main');
  return {
    dir,
    git,
    tag(tag) {
      git('add', '-A');
      git('commit', '-q', '--allow-empty', '-m', `release ${tag}`);
      git('tag', tag);
    },
    async setVersion(version) {
      await writeFile(join(b, 'version.txt'), `${version}\n`);
    },
  };
}
