import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { rm } from 'node:fs/promises';
import { bundleCommand } from '../../../src/cli/bundle-command.js';
import { UsageError } from '../../../src/errors/index.js';
import type { Host } from '../../../src/inventory/types.js';
import { demoProject } from './demo-repo.js';

const HOSTS: Host[] = [
  { name: 'web1', address: '10.0.0.11', roles: ['app'], attrs: { app_port: 8000, http_port: 8080 } },
  { name: 'web2', address: '10.0.0.12', roles: ['app'], attrs: { app_port: 8000, http_port: 8080 } },
  { name: 'lb1', address: '10.0.0.5', roles: ['lb'], attrs: { lb_port: 80 } },
];

let project: string;

beforeAll(async () => {
  project = await demoProject(['demo']);
});
afterAll(async () => {
  await rm(project, { recursive: true, force: true });
});

/** Run `ferry bundle …` and return what it printed on stdout. */
async function ferryBundle(...args: string[]): Promise<string> {
  const out: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const cmd = bundleCommand(async () => ({ dir: project, hosts: HOSTS }));
    cmd.exitOverride();
    await cmd.parseAsync(args, { from: 'user' });
  } finally {
    write.mockRestore();
    err.mockRestore();
  }
  return out.join('');
}

describe('ferry bundle (CLI)', () => {
  test('build, ls, show, render', async () => {
    const built = JSON.parse(await ferryBundle('build', 'demo', '--tag', 'v1.0.0', '--json'));
    expect(built.id).toMatch(/^demo-v1\.0\.0-[0-9a-f]{7}-[0-9a-f]{8}$/);
    expect(built.archive).toBe(`${project}/.ferry/cache/bundles/${built.id}.tar.gz`);

    const ls = (await ferryBundle('ls')).split('\n');
    expect(ls[0]).toMatch(/^ID\s+TAG\s+COMMIT\s+SIZE\s+BUILT$/);
    expect(ls[1]).toMatch(new RegExp(`^${built.id}\\s+v1\\.0\\.0\\s+${built.commit.slice(0, 12)}\\s+\\d`));

    const show = JSON.parse(await ferryBundle('show', built.id));
    expect(show).toMatchObject({ id: built.id, tag: 'v1.0.0', sha256: built.sha256, definition: { name: 'demo' } });
    expect(Array.isArray(show.files)).toBe(true);

    const lb = await ferryBundle('render', 'demo', '--tag', 'v1.0.0', '--host', 'lb1');
    expect(lb).toContain(
      `# ==> /srv/demo/releases/${built.id}/config/haproxy/haproxy.cfg (linked from /etc/haproxy/haproxy.cfg)`,
    );
    expect(lb.match(/^\s*server web\d 10\.0\.0\.1\d:8080 check/gm)).toHaveLength(2);
    // the env file as web1 gets it, no secret looked up or shown; an lb host gets none
    const web = await ferryBundle('render', 'demo', '--tag', 'v1.0.0', '--host', 'web1');
    expect(web).toContain(
      `# ==> /srv/demo/releases/${built.id}/app/.env (0600; secrets as ***)\nDEMO_SECRET=***\nAPP_PORT=8000\n`,
    );
    expect(lb).not.toContain('.env');

    const sup = await ferryBundle(
      'render',
      'demo',
      '--tag',
      'v1.0.0',
      '--host',
      'web1',
      '--target',
      'supervisor/demo.conf',
    );
    expect(sup).toContain('[program:demo]');
    expect(sup).not.toContain('server {');
  });

  test('usage errors: unknown host, unknown id', async () => {
    await expect(ferryBundle('render', 'demo', '--tag', 'v1.0.0', '--host', 'nope')).rejects.toThrow(UsageError);
    await expect(ferryBundle('render', 'demo', '--tag', 'v1.0.0', '--host', 'nope')).rejects.toThrow(
      /unknown host 'nope'; hosts: web1, web2, lb1/,
    );
    await expect(ferryBundle('show', 'demo-v9-0000000-00000000')).rejects.toThrow(UsageError);
  });
});
