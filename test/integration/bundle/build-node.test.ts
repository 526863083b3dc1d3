import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { get } from 'node:http';
import { appendFile, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { buildBundle, listBundles, loadBundle, type BuiltBundle } from '../../../src/bundle/index.js';
import { FailedError, UsageError } from '../../../src/errors/index.js';
import { cloneProject, demoProject, git } from './demo-repo.js';
import { extractWithTar, listWithTar, readlink, sha256Of } from './archive-check.js';
import { waitFor } from '../../helpers/wait-for.js';

let project: string;
let v110: BuiltBundle;
const cleanup: string[] = [];

beforeAll(async () => {
  project = await demoProject(['demo']);
  cleanup.push(project);
  v110 = await buildBundle({ projectDir: project, name: 'demo', tag: 'v1.1.0' });
});

afterAll(async () => {
  for (const d of cleanup) await rm(d, { recursive: true, force: true });
});

describe('node bundle (bundles/demo)', () => {
  test('id, archive and manifest beside it', async () => {
    const commit = await git(project, 'rev-parse', 'v1.1.0^{commit}');
    expect(v110.id).toBe(`demo-v1.1.0-${commit.slice(0, 7)}-${v110.sha256.slice(0, 8)}`);
    expect(v110.archivePath).toBe(`${project}/.ferry/cache/bundles/${v110.id}.tar.gz`);
    expect(await sha256Of(v110.archivePath)).toBe(v110.sha256);
    expect((await stat(v110.archivePath)).size).toBe(v110.size);
    const beside = JSON.parse(await readFile(`${project}/.ferry/cache/bundles/${v110.id}.manifest.json`, 'utf8'));
    expect(beside).toMatchObject({ name: 'demo', tag: 'v1.1.0', commit, id: v110.id, sha256: v110.sha256 });
    expect(beside.env).toEqual({
      kind: 'node',
      node: { version: process.version, platform: process.platform, arch: process.arch },
    });
    expect(beside.definition).toMatchObject({
      name: 'demo',
      roles: ['app', 'lb'],
      program: 'demo',
      deployPath: '/srv/demo',
      keep: 5,
      shared: ['log', 'tmp', 'data'],
    });
    expect(beside.definition.health).toEqual({ path: '/check.html', port: 'app_port' });
    expect(beside.definition.configs.map((c: { target: string; roles: string[] }) => [c.target, c.roles])).toEqual([
      ['nginx/demo.conf', ['app']],
      ['haproxy/haproxy.cfg', ['lb']],
      ['supervisor/demo.conf', ['app']],
    ]);
  });

  test('node env: production dependencies only, from the lockfile', async () => {
    const x = await extractWithTar(v110.archivePath);
    cleanup.push(x);
    expect(existsSync(`${x}/app/node_modules/ms/package.json`)).toBe(true);
    expect(existsSync(`${x}/app/node_modules/kleur`)).toBe(false); // devDependency
    expect(JSON.parse(await readFile(`${x}/app/node_modules/ms/package.json`, 'utf8')).version).toBe('2.1.3');
    expect(v110.manifest.files.some((f) => f.path.startsWith('app/node_modules/kleur/'))).toBe(false);
  });

  test('manifest sha256s verify against the extracted files; the inner manifest has no archive hash', async () => {
    const x = await extractWithTar(v110.archivePath);
    cleanup.push(x);
    const inner = JSON.parse(await readFile(`${x}/manifest.json`, 'utf8'));
    expect(inner.sha256).toBeUndefined();
    expect(inner.id).toBeUndefined();
    expect(inner.builtAt).toBeUndefined();
    expect(inner.files).toEqual(v110.manifest.files);
    expect(inner.files.length).toBeGreaterThan(5);
    for (const f of inner.files as { path: string; size: number; sha256: string; link?: string }[]) {
      if (f.link !== undefined) {
        expect(await readlink(`${x}/${f.path}`)).toBe(f.link);
        continue;
      }
      expect((await stat(`${x}/${f.path}`)).size, f.path).toBe(f.size);
      expect(await sha256Of(`${x}/${f.path}`), f.path).toBe(f.sha256);
    }
  });

  test('archive entries: sorted, owner 0/0, mtime = commit time, fixed modes', async () => {
    const entries = await listWithTar(v110.archivePath);
    const paths = entries.map((e) => e.path.replace(/\/$/, ''));
    const sorted = [...paths].sort((a, b) =>
      Buffer.compare(Buffer.from(a.split('/').join('\0')), Buffer.from(b.split('/').join('\0'))),
    );
    expect(paths).toEqual(sorted);
    expect(paths.at(-1)).toBe('manifest.json');
    expect(new Set(entries.map((e) => e.owner))).toEqual(new Set(['0/0']));
    const ct = Number(await git(project, 'show', '-s', '--format=%ct', 'v1.1.0'));
    const expected = new Date(ct * 1000);
    expect(v110.manifest.commitTime).toBe(expected.toISOString());
    // every entry, directories included, carries the commit time (tar prints it in local time)
    const pad = (n: number): string => String(n).padStart(2, '0');
    const local = (d: Date): string =>
      `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${d.toTimeString().slice(0, 8)}`;
    expect(new Set(entries.map((e) => e.mtime))).toEqual(new Set([local(expected)]));
    for (const e of entries) expect(['drwxr-xr-x', '-rw-r--r--', '-rwxr-xr-x', 'lrwxr-xr-x']).toContain(e.mode);
  });

  test('reproducible: a rebuild and a build from another clone path give byte-identical archives', async () => {
    const again = await demoRebuild(project);
    expect(again.sha256).toBe(v110.sha256);
    expect(again.id).toBe(v110.id);
    const clone = await cloneProject(project);
    cleanup.push(dirname(clone));
    const other = await buildBundle({ projectDir: clone, name: 'demo', tag: 'v1.1.0' });
    expect(other.archivePath).not.toBe(v110.archivePath);
    expect(other.sha256).toBe(v110.sha256);
    expect(other.id).toBe(v110.id);
  });

  test(
    'builds from the tag: a dirty working tree (edits, untracked files, changed definition) ' +
      'never reaches the bundle',
    async () => {
      const dir = `${project}/bundles/demo`;
      const committedServer = await git(project, 'show', 'v1.0.0:bundles/demo/app/server.js');
      await appendFile(`${dir}/app/server.js`, '\nthrow new Error("uncommitted");\n');
      await writeFile(`${dir}/app/untracked.js`, 'secret');
      const pkg = await readFile(`${dir}/package.json`, 'utf8');
      await writeFile(`${dir}/package.json`, pkg.replace('"1.1.0"', '"9.9.9-dirty"'));
      const def = await readFile(`${dir}/bundle.ts`, 'utf8');
      await writeFile(`${dir}/bundle.ts`, def.replace('keep: 5', 'keep: 42'));
      try {
        const b = await buildBundle({ projectDir: project, name: 'demo', tag: 'v1.0.0' });
        const x = await extractWithTar(b.archivePath);
        cleanup.push(x);
        expect(await readFile(`${x}/app/app/server.js`, 'utf8')).toBe(`${committedServer}\n`);
        expect(existsSync(`${x}/app/app/untracked.js`)).toBe(false);
        expect(JSON.parse(await readFile(`${x}/app/package.json`, 'utf8')).version).toBe('1.0.0');
        expect(b.manifest.definition.keep).toBe(5);
        expect(b.manifest.tag).toBe('v1.0.0');
        // the local copy the configs are rendered from is the tagged tree too
        expect(await readFile(`${b.appDir}/package.json`, 'utf8')).toContain('"version": "1.0.0"');
        expect(existsSync(`${b.appDir}/node_modules`)).toBe(false);
      } finally {
        await git(project, 'checkout', '--', 'bundles/demo');
        await rm(`${dir}/app/untracked.js`, { force: true });
      }
    },
  );

  test('unknown tag: a usage error listing the recent tags', async () => {
    const err = await buildBundle({ projectDir: project, name: 'demo', tag: 'v9.9.9' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/unknown tag 'v9\.9\.9'/);
    expect((err as Error).message).toMatch(/recent tags: .*v1\.1\.0/);
    expect((err as Error).message).toMatch(/v1\.0\.0/);
  });

  test('unknown bundle name: a usage error listing the bundles', async () => {
    const err = await buildBundle({ projectDir: project, name: 'nope', tag: 'v1.0.0' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toContain("unknown bundle 'nope'; bundles: demo");
  });

  test('cache: the same tag is reused; a damaged archive or a moved tag is rebuilt', async () => {
    const msgs: string[] = [];
    const hit = await buildBundle({
      projectDir: project,
      name: 'demo',
      tag: 'v1.1.0',
      onProgress: (m) => msgs.push(m),
    });
    expect(hit.id).toBe(v110.id);
    expect(msgs).toEqual([`cached ${v110.id}`]);

    await writeFile(hit.archivePath, 'garbage');
    const rebuilt = await buildBundle({ projectDir: project, name: 'demo', tag: 'v1.1.0' });
    expect(rebuilt.id).toBe(v110.id);
    expect(await sha256Of(rebuilt.archivePath)).toBe(v110.sha256);

    // move the tag to a new commit: a new id, not the stale cache entry
    await writeFile(`${project}/bundles/demo/README.md`, 'moved\n');
    await git(project, 'add', '-A');
    await git(project, 'commit', '-q', '-m', 'readme');
    await git(project, 'tag', '-f', 'v1.1.0');
    const moved = await buildBundle({ projectDir: project, name: 'demo', tag: 'v1.1.0' });
    expect(moved.manifest.commit).toBe(await git(project, 'rev-parse', 'HEAD'));
    expect(moved.id).not.toBe(v110.id);
    expect(moved.manifest.files.map((f) => f.path)).toContain('app/README.md');
    // the build of the old commit stays in the cache under its own id (a rollback may want it)
    expect((await loadBundle(project, v110.id)).manifest.commit).toBe(v110.manifest.commit);

    const ids = (await listBundles(project)).map((b) => b.id);
    expect(ids).toContain(moved.id);
    expect((await loadBundle(project, moved.id)).sha256).toBe(moved.sha256);
    await expect(loadBundle(project, 'demo-v0-0000000-00000000')).rejects.toBeInstanceOf(UsageError);
    await expect(loadBundle(project, '../../etc/passwd')).rejects.toBeInstanceOf(UsageError);
  });

  test('a failing build step fails with the step and the tail of its output', async () => {
    const p = await demoProject(['demo']);
    cleanup.push(p);
    const file = `${p}/bundles/demo/bundle.ts`;
    const def = await readFile(file, 'utf8');
    await writeFile(
      file,
      def.replace(
        "env: { kind: 'node' },",
        "env: { kind: 'none' },\n  build: [['node', '-e', 'console.log(\"compiling assets\"); " +
          'console.error("boom: asset missing"); process.exit(3)\']],',
      ),
    );
    await git(p, 'commit', '-q', '-am', 'failing build');
    await git(p, 'tag', 'v2.0.0');
    const err = await buildBundle({ projectDir: p, name: 'demo', tag: 'v2.0.0' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FailedError);
    expect((err as Error).message).toMatch(/^build step 1 \(node\): .* failed \(exit 3\)/);
    expect((err as Error).message).toContain('boom: asset missing');
    expect((err as Error).message).toContain('compiling assets');
    // nothing half-built is left in the cache
    expect((await listBundles(p)).length).toBe(0);
  });
});

/** Drop the cached build and build again from scratch. */
async function demoRebuild(dir: string): Promise<BuiltBundle> {
  await rm(`${dir}/.ferry/cache/bundles/${v110.id}.manifest.json`);
  return buildBundle({ projectDir: dir, name: 'demo', tag: 'v1.1.0' });
}

describe('the demo app from the artifact', () => {
  test(
    'serves its version and /check.html; ' +
      'on SIGTERM it stops accepting, finishes the request in flight and exits 0',
    async () => {
      const { spawn } = await import('node:child_process');
      const x = await extractWithTar(v110.archivePath);
      cleanup.push(x);
      const child = spawn(process.execPath, [`${x}/app/app/server.js`, '--host', '127.0.0.1', '--port', '0'], {
        cwd: `${x}/app`,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
      const port = Number(
        await waitFor(
          () => {
            if (child.exitCode !== null) throw new Error(`server exited: ${out}`);
            return /listening on 127\.0\.0\.1:(\d+)/.exec(out)?.[1];
          },
          { timeoutMs: 20_000, what: 'the demo server to listen' },
        ),
      );
      const base = `http://127.0.0.1:${port}`;
      const check = await fetch(`${base}/check.html`);
      expect(check.status).toBe(200);
      expect(await check.text()).toBe('ok\n');
      const root = (await (await fetch(`${base}/`)).json()) as {
        name: string;
        version: string;
        host: string;
        work: string;
      };
      expect(root).toMatchObject({ name: 'demo', version: '1.1.0' });
      expect(root.work).toMatch(/^[0-9a-f]{16}$/);
      expect((await fetch(`${base}/nope`)).status).toBe(404);

      const slow = slowRequest(`${base}/?delay=1500`);
      const clientPort = await slow.sent;
      const inFlight = { timeoutMs: 10_000, what: 'the slow request to be in flight' };
      await waitFor(() => serverHasRead(port, clientPort), inFlight);
      child.kill('SIGTERM');
      // printed just before server.close(): from here on no new connection is accepted
      const stopping = { timeoutMs: 10_000, what: 'the server to stop accepting' };
      await waitFor(() => out.includes('demo: SIGTERM, finishing requests in flight'), stopping);
      // no longer accepting
      await expect(fetch(`${base}/check.html`, { headers: { connection: 'close' } })).rejects.toThrow();
      const finished = await slow.answer;
      expect(finished.status).toBe(200);
      expect((JSON.parse(finished.body) as { version: string }).version).toBe('1.1.0');
      expect(await exited).toBe(0);
    },
  );
});

/** A GET on its own connection: `sent` gives the client's port once the whole request is written. */
function slowRequest(url: string): { sent: Promise<number>; answer: Promise<{ status: number; body: string }> } {
  let sent: (port: number) => void = () => undefined;
  const sentP = new Promise<number>((resolve) => (sent = resolve));
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = get(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.on('finish', () => sent(req.socket?.localPort ?? 0));
  });
  return { sent: sentP, answer };
}

/**
 * The server process has read what 127.0.0.1:`clientPort` sent it: its end of that connection is
 * established with an empty receive queue (/proc/net/tcp, ports in hex).
 */
function serverHasRead(serverPort: number, clientPort: number): boolean {
  const hex = (p: number) => `:${p.toString(16).toUpperCase().padStart(4, '0')}`;
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .some((line) => {
      const [, local, remote, state, queues] = line.trim().split(/\s+/);
      const established = state === '01';
      return (
        established &&
        local?.endsWith(hex(serverPort)) &&
        remote?.endsWith(hex(clientPort)) &&
        queues?.endsWith(':00000000')
      );
    });
}
