// my-app: the scaffold's node app at its repository's root, with ferry's bundle folder, two stages
// (staging: stg1, stg2; production: prod1, protected and tags only) and ferry.yaml's keys.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Fleet, FleetHost } from '../../fleet/fleet.js';
import { REPO } from '../../helpers/ferry-cli.js';
import { git } from './demo-repo.js';

const SCAFFOLD = join(REPO, 'templates/init/node/bundles/__APP__');

/** my-app: the scaffold's node app at the repository root; ferry's bundle folder points at it. */
export async function appRepo(root: string, fleet: Fleet): Promise<string> {
  const dir = join(root, 'my-app');
  await mkdir(join(dir, 'bundles/my-app/templates'), { recursive: true });
  const app = (f: string) => readFile(join(SCAFFOLD, f), 'utf8').then((t) => t.replaceAll('__APP__', 'my-app'));
  for (const f of ['server.js', 'package.json', 'package-lock.json']) await writeFile(join(dir, f), await app(f));
  await writeFile(
    join(dir, 'bundles/my-app/templates/supervisor.conf.liquid'),
    (await app('templates/supervisor.conf.liquid')).replace('FERRY_HOST=', 'GREETING="one",FERRY_HOST='),
  );
  const def = (await app('bundle.ts')).replace("  env: { kind: 'node' },", "  source: { path: '.' },\n$&");
  if (!def.includes("source: { path: '.' }")) throw new Error('the scaffold bundle.ts changed: no env line');
  await writeFile(join(dir, 'bundles/my-app/bundle.ts'), def);
  await writeFile(join(dir, '.gitignore'), '.ferry/\nnode_modules/\n');
  await mkdir(join(dir, 'inventories'));
  const stage = (hosts: FleetHost[], extra: object) =>
    stringify({
      ...extra,
      defaults: { app_port: 8000 },
      roles: { app: {} },
      hosts: Object.fromEntries(hosts.map((h) => [h.name, { address: h.address, port: h.port, roles: ['app'] }])),
    });
  await writeFile(join(dir, 'inventories/staging.yaml'), stage([fleet.host('stg1'), fleet.host('stg2')], {}));
  const prod = stage([fleet.host('prod1')], { stage: { protected: true, tagsOnly: true } });
  await writeFile(join(dir, 'inventories/production.yaml'), prod);
  // no --known-hosts / -i on any command below: ferry.yaml holds them
  const settings = `stage: staging\nknown_hosts: ${fleet.knownHosts}\nidentity: ${fleet.clientKey}\nparallel: 1\n`;
  await writeFile(join(dir, 'ferry.yaml'), settings);
  await git(dir, 'init', '-q');
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-q', '-m', 'my-app 0.1.0');
  await git(dir, 'tag', 'v0.1.0');
  return dir;
}
