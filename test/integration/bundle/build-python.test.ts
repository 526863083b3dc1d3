import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { buildBundle, type BuiltBundle } from '../../../src/bundle/index.js';
import { demoProject } from './demo-repo.js';
import { extractWithTar } from './archive-check.js';
import { canRunFleet, startFleet, type Fleet } from '../../fleet/fleet.js';

const run = promisify(execFile);
let project: string;
let built: BuiltBundle;
const cleanup: string[] = [];

beforeAll(async () => {
  project = await demoProject(['demo-py']);
  cleanup.push(project);
  built = await buildBundle({ projectDir: project, name: 'demo-py', tag: 'v1.1.0' });
});

afterAll(async () => {
  for (const d of cleanup) await rm(d, { recursive: true, force: true });
});

describe('python bundle (bundles/demo-py)', () => {
  test('a venv with the app installed; manifest records the python', async () => {
    expect(built.manifest.env).toEqual({
      kind: 'python',
      python: { version: expect.stringMatching(/^3\.\d+\.\d+$/), interpreter: '/usr/bin/python3' },
    });
    const paths = built.manifest.files.map((f) => f.path);
    expect(paths).toContain('env/bin/demo-py-server');
    expect(paths).toContain('env/lib/python3.11/site-packages/demo_py/server.py');
    expect(paths).toContain('env/pyvenv.cfg');
    expect(paths.some((p) => p.includes('__pycache__'))).toBe(false);
    expect(paths.some((p) => p.endsWith('direct_url.json'))).toBe(false);
    // the build backend worked on a copy: nothing it wrote is in app/
    expect(paths.filter((p) => p.startsWith('app/')).some((p) => /\/(build|dist)\/|\.egg-info\//.test(p))).toBe(false);
    expect(built.manifest.files.find((f) => f.path === 'env/bin/python3')?.link).toBe('/usr/bin/python3');
  });

  test(
    'relocatable: extracted anywhere, ' + 'the console script runs the venv python and imports the app from the venv',
    async () => {
      const parent = await mkdtemp(`${tmpdir()}/ferry-relocated-`);
      cleanup.push(parent);
      const release = `${parent}/some/other/place/releases/${built.id}`;
      await mkdir(release, { recursive: true });
      await extractWithTar(built.archivePath, release);
      const { stdout } = await run(`${release}/env/bin/demo-py-server`, ['--version'], {
        env: { PATH: '/usr/bin:/bin' },
      });
      expect(stdout.trim()).toBe(
        `demo-py 1.1.0 module=${release}/env/lib/python3.11/site-packages/demo_py/__init__.py prefix=${release}/env`,
      );
      // through a `current` symlink, and with the activate script
      await symlink(`releases/${built.id}`, `${parent}/some/other/place/current`);
      const viaCurrent = await run(
        'bash',
        [
          '-c',
          `. ${parent}/some/other/place/current/env/bin/activate && echo "$VIRTUAL_ENV" && ` +
            'command -v demo-py-server && demo-py-server --version',
        ],
        { env: { PATH: '/usr/bin:/bin' } },
      );
      const [venv, script, version] = viaCurrent.stdout.trim().split('\n');
      expect(venv).toBe(`${release}/env`);
      expect(script).toBe(`${release}/env/bin/demo-py-server`);
      expect(version).toMatch(/^demo-py 1\.1\.0 /);
      expect(await readFile(`${release}/env/pyvenv.cfg`, 'utf8')).not.toContain(project);
    },
  );

  test("every dist-info RECORD still verifies after relocation (pip's own integrity data)", async () => {
    const parent = await mkdtemp(`${tmpdir()}/ferry-record-`);
    cleanup.push(parent);
    await extractWithTar(built.archivePath, parent);
    const site = `${parent}/env/lib/python3.11/site-packages`;
    const { createHash } = await import('node:crypto');
    const { readdir } = await import('node:fs/promises');
    const infos = (await readdir(site)).filter((n) => n.endsWith('.dist-info'));
    expect(infos.some((n) => n.startsWith('demo_py-1.1.0'))).toBe(true);
    let checked = 0;
    for (const info of infos) {
      for (const line of (await readFile(`${site}/${info}/RECORD`, 'utf8')).split(/\r?\n/)) {
        const [path, hash, size] = line.split(',');
        if (!path || !hash) continue; // RECORD itself, pyc entries without hash
        expect(line.endsWith('\r'), path).toBe(false);
        const data = await readFile(`${site}/${path}`).catch(() => undefined);
        if (data === undefined && path.includes('__pycache__')) continue; // bytecode is not shipped
        expect(data, path).toBeDefined();
        expect(`sha256=${createHash('sha256').update(data!).digest('base64url')}`, path).toBe(hash);
        expect(String(data!.length), path).toBe(size);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  test('reproducible: rebuilding the python env gives the same archive', async () => {
    await rm(`${project}/.ferry/cache/bundles/${built.id}.manifest.json`);
    const again = await buildBundle({ projectDir: project, name: 'demo-py', tag: 'v1.1.0' });
    expect(again.sha256).toBe(built.sha256);
  });

  const fleetOk = canRunFleet();
  describe.skipIf(!fleetOk.ok)('on a fleet host', () => {
    let fleet: Fleet;
    beforeAll(async () => {
      fleet = await startFleet({ hosts: 1 });
    });
    afterAll(async () => {
      await fleet?.stop();
    });

    test('the venv console script runs from the release path on the host', async () => {
      const host = fleet.hosts[0]!;
      const release = `/srv/demo-py/releases/${built.id}`;
      await mkdir(`${host.root}${release}`, { recursive: true });
      await extractWithTar(built.archivePath, `${host.root}${release}`);
      const r = await fleet.exec(
        host,
        `ln -sfn releases/${built.id} /srv/demo-py/current && /srv/demo-py/current/env/bin/demo-py-server --version`,
      );
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(
        `demo-py 1.1.0 module=${release}/env/lib/python3.11/site-packages/demo_py/__init__.py prefix=${release}/env`,
      );
      // and it serves: start it, ask it, stop it with SIGTERM
      const port = 18_000 + Math.floor(Math.random() * 1000);
      // the venv python prints the body of http://127.0.0.1:<port><path>
      const get = (path: string): string =>
        `${release}/env/bin/python -c "import urllib.request,sys; ` +
        `sys.stdout.write(urllib.request.urlopen('http://127.0.0.1:${port}${path}').read().decode())"`;
      const serve = await fleet.exec(
        host,
        `${release}/env/bin/demo-py-server --host 127.0.0.1 --port ${port} >/tmp/demo-py.log 2>&1 & pid=$!; ` +
          `for i in $(seq 1 50); do ${get('/check.html')} 2>/dev/null && break; sleep 0.1; done; ` +
          `${get('/')}; kill -TERM $pid; wait $pid; echo "exit=$?"`,
      );
      const lines = serve.stdout.trim().split('\n');
      expect(lines[0]).toBe('ok');
      expect(JSON.parse(lines[1] ?? '{}')).toMatchObject({ name: 'demo-py', version: '1.1.0' });
      expect(lines[2]).toBe('exit=0');
    }, 120_000);
  });
});
