// The app in its own repository, deployed by the built CLI to a real fleet: `source: { path: '.' }`,
// an edited template redeployed at the same tag, a branch on staging, a tags-only production,
// `ferry bundle rm` and `--rebuild`, and ferry.yaml's keys and parallelism.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet, type FleetHost } from '../../fleet/fleet.js';
import { ferry } from '../../helpers/ferry-cli.js';
import { fleetSkipReason } from '../../helpers/skip.js';
import { git } from './demo-repo.js';
import { appRepo } from './app-repo.js';

const skip = fleetSkipReason();
const current = (h: FleetHost) => {
  try {
    return execFileSync('readlink', [join(h.root, 'srv/my-app/current')], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
};
const config = (h: FleetHost) => readFileSync(join(h.root, 'srv/my-app/current/config/supervisor/my-app.conf'), 'utf8');

describe.skipIf(skip)("the app at its repository's root, deployed by stage", () => {
  let fleet: Fleet;
  let root: string;
  let dir: string;
  const run = (...args: string[]) => ferry(args, { cwd: dir, timeoutMs: 180_000 });

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ferry-deploy-source-'));
    fleet = await startFleet({ hosts: ['stg1', 'stg2', 'prod1'].map((name) => ({ name, roles: ['app'] })) });
    dir = await appRepo(root, fleet);
  }, 120_000);
  afterAll(async () => {
    await fleet?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('a tag, the same tag with an edited template, a branch on staging; production takes tags only', async () => {
    const [stg1, stg2, prod1] = [fleet.host('stg1'), fleet.host('stg2'), fleet.host('prod1')];
    const first = await run('deploy', 'my-app', '--tag', 'v0.1.0');
    expect(first.code, first.stderr).toBe(0);
    const v1 = current(stg1);
    expect(v1).toMatch(/releases\/my-app-v0\.1\.0-[0-9a-f]{7}-[0-9a-f]{8}$/);
    expect(current(stg2)).toBe(v1);
    expect(current(prod1)).toBeUndefined();
    expect(config(stg1)).toContain('GREETING="one"');
    const answer = await fleet.exec(stg1, `curl -fsS http://${stg1.address}:8000/`);
    expect(answer.stdout).toContain('"version":"0.1.0"');

    // the template edited, not committed: the same tag is a new build and release, with the new config
    const tpl = join(dir, 'bundles/my-app/templates/supervisor.conf.liquid');
    await writeFile(tpl, (await readFile(tpl, 'utf8')).replace('GREETING="one"', 'GREETING="two"'));
    const edited = await run('deploy', 'my-app', '--tag', 'v0.1.0');
    expect(edited.code, edited.stderr).toBe(0);
    expect(edited.stdout + edited.stderr).not.toContain('nothing to do');
    expect(current(stg1)).not.toBe(v1);
    expect(config(stg1)).toContain('GREETING="two"');

    // a branch (staging): the id names the commit the branch is at
    const pkg = join(dir, 'package.json');
    await writeFile(pkg, (await readFile(pkg, 'utf8')).replace('"0.1.0"', '"0.2.0"'));
    await git(dir, 'commit', '-q', '-am', 'my-app 0.2.0');
    const head = await git(dir, 'rev-parse', 'HEAD');
    const branch = await run('deploy', 'my-app', '--ref', 'main');
    expect(branch.code, branch.stderr).toBe(0);
    expect(current(stg1)).toMatch(new RegExp(`releases/my-app-main-${head.slice(0, 7)}-[0-9a-f]{8}$`));
    const v2 = await fleet.exec(stg2, `curl -fsS http://${stg2.address}:8000/`);
    expect(v2.stdout).toContain('"version":"0.2.0"');

    // production: tags only, refused before any connection, even with --yes
    const refused = await run('--stage', 'production', 'deploy', 'my-app', '--ref', 'main', '--yes');
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toContain('stage production deploys tags only');
    expect(current(prod1)).toBeUndefined();
    const both = await run('deploy', 'my-app', '--ref', 'main', '--tag', 'v0.1.0');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--tag and --ref: pass one');
    const prod = await run('--stage', 'production', 'deploy', 'my-app', '--tag', 'v0.1.0', '--yes');
    expect(prod.code, prod.stderr).toBe(0);
    expect(config(prod1)).toContain('GREETING="two"');
    // history names the stage each line was deployed to
    const lastLine = (h: FleetHost) => {
      const lines = readFileSync(join(h.root, 'srv/my-app/.ferry/history.jsonl'), 'utf8').trim().split('\n');
      return JSON.parse(lines[lines.length - 1] ?? '{}') as { stage?: string };
    };
    expect(lastLine(prod1).stage).toBe('production');
    expect(lastLine(stg1).stage).toBe('staging');
  }, 600_000);

  it('ferry bundle rm removes a cached build; --rebuild builds again', async () => {
    const ls = await run('bundle', 'ls', '--json');
    const ids = (JSON.parse(ls.stdout) as { id: string }[]).map((b) => b.id);
    expect(ids.length).toBeGreaterThanOrEqual(3);
    const [gone, ...kept] = ids as [string, ...string[]];
    const removed = await run('bundle', 'rm', gone);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toBe(`removed ${gone}\n`);
    expect(existsSync(join(dir, '.ferry/cache/bundles', `${gone}.tar.gz`))).toBe(false);
    const after = JSON.parse((await run('bundle', 'ls', '--json')).stdout) as { id: string }[];
    expect(after.map((b) => b.id)).toEqual(kept);
    const unknown = await run('bundle', 'rm', gone);
    expect(unknown.code).toBe(2);

    const cached = await run('bundle', 'build', 'my-app', '--tag', 'v0.1.0');
    expect(cached.stderr).toMatch(/\] cached my-app-v0\.1\.0-/);
    const rebuilt = await run('bundle', 'build', 'my-app', '--tag', 'v0.1.0', '--rebuild');
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(rebuilt.stderr).toContain('] checkout v0.1.0');
  }, 300_000);

  it("ferry.yaml's parallel applies (one host at a time); --parallel still wins", async () => {
    // each host prints when its command started and ended (ms): with parallel 1 the spans never overlap
    const spans = async (...flags: string[]) => {
      const r = await run(
        ...flags,
        'run',
        '--roles',
        'app',
        '--json',
        '--',
        'echo "$(date +%s%3N) $(sleep 1; date +%s%3N)"',
      );
      expect(r.code, r.stdout + r.stderr).toBe(0);
      // the report holds each host's output more than once (its log and its result)
      const lines = new Set([...r.stdout.matchAll(/\d{13} \d{13}/g)].map((m) => m[0]));
      const found = [...lines].map((l) => l.split(' ').map(Number));
      expect(found).toHaveLength(2);
      const [a, b] = found.sort((x, y) => (x[0] ?? 0) - (y[0] ?? 0)) as [[number, number], [number, number]];
      return [a, b] as const;
    };
    const [a, b] = await spans();
    expect(b[0]).toBeGreaterThanOrEqual(a[1]);
    const [c, d] = await spans('--parallel', '2');
    expect(d[0]).toBeLessThan(c[1]);
  }, 120_000);
});
