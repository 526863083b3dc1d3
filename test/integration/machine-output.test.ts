import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet, type FleetHost } from '../fleet/fleet.js';
import { ferry, fleetFlags, REPO } from '../helpers/ferry-cli.js';
import { fleetSkipReason } from '../helpers/skip.js';
import { makeDemoProject, DEMO_ATTRS, type DemoProject } from '../helpers/demo-project.js';
import { humanBytes } from '../../src/runner/plan.js';

const skip = fleetSkipReason();

interface Report {
  dryRun: boolean;
  hosts: Array<{
    host: string;
    status: string;
    result?: Record<string, unknown>;
    steps: Array<{ id: string; title: string; status: string; phase?: string; bytes?: number }>;
  }>;
}

const DISK_TASK = `import { defineTask } from '${REPO}src/index.js';
export default defineTask({
  name: 'disk',
  description: 'free space on /',
  async run(ctx) {
    const { stdout } = await ctx.run(['df', '-P', '/']);
    return { lines: stdout.trim().split('\\n').length };
  },
});
`;

/** The JSON document stdout holds (what `| jq` or `| node -e 'JSON.parse(…)'` reads): nothing else. */
const parsed = (stdout: string): Report => JSON.parse(stdout) as Report;

// Machine output and plans on one 3-host fleet: --json keeps stdout to the JSON document for every
// command that reports, --dry-run prints a plan people read, the summary names the live release.
describe.skipIf(skip)('--json and --dry-run output on a 3-host fleet', () => {
  let fleet: Fleet;
  let proj: DemoProject;
  let flags: string[];
  const ids: Record<string, string> = {};
  const run = (...args: string[]) => ferry(['--project', proj.dir, ...flags, ...args], { timeoutMs: 240_000 });
  const current = (h: FleetHost) => readlinkSync(join(h.root, 'srv/demo/current')).replace('releases/', '');
  /** what a dry run must leave alone on every host: current, the releases, the artifact cache, history */
  const snapshot = () =>
    fleet.hosts.map((h) => {
      const ls = (p: string) => (existsSync(join(h.root, p)) ? readdirSync(join(h.root, p)).sort().join(',') : '-');
      const history = join(h.root, 'srv/demo/.ferry/history.jsonl');
      return [
        current(h),
        ls('srv/demo/releases'),
        ls('srv/demo/.ferry/bundles'),
        existsSync(history) ? readFileSync(history, 'utf8').length : 0,
      ].join(' ');
    });

  beforeAll(async () => {
    fleet = await startFleet({ hosts: 3, extraInventory: { defaults: DEMO_ATTRS } });
    proj = await makeDemoProject(readFileSync(fleet.inventoryFile, 'utf8'));
    await mkdir(join(proj.dir, 'tasks'));
    await writeFile(join(proj.dir, 'tasks', 'disk.ts'), DISK_TASK);
    flags = fleetFlags({ ...fleet, inventoryFile: join(proj.dir, 'inventory.yaml') });
    proj.tag('v1.0.0');
    await proj.setVersion('1.1.0');
    proj.tag('v1.1.0');
  }, 300_000);
  afterAll(async () => {
    await fleet?.stop();
  });

  it('deploy --json: stdout is only the JSON report, progress and the live release go to stderr', async () => {
    const r = await run('deploy', 'demo', '--tag', 'v1.0.0', '--roles', 'app', '--json');
    expect(r.code, r.stderr).toBe(0);
    const report = parsed(r.stdout);
    expect(report.hosts.map((h) => h.status)).toEqual(['ok', 'ok', 'ok']);
    ids.v1 = current(fleet.hosts[0] as FleetHost);
    expect(r.stderr).toMatch(/\[h1\] /);
    expect(r.stderr).toContain(`live: ${ids.v1} on all 3 hosts`);
    // a step knows its phase in the report
    expect(report.hosts[0]?.steps.find((s) => s.id === 'activate')?.phase).toBe('activate');
  });

  it('--dry-run prints a plan: upload size and switch per host, a summary, never "done"; changes nothing', async () => {
    const before = snapshot();
    const file = join(proj.dir, '.plan.json');
    const r = await run('--dry-run', `--json=${file}`, 'deploy', 'demo', '--tag', 'v1.1.0', '--roles', 'app');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(file, 'utf8')) as Report;
    const upload = report.hosts[0]?.steps.find((s) => s.id === 'upload');
    expect(upload?.bytes).toBeGreaterThan(1000);
    const size = humanBytes(upload?.bytes ?? 0);
    const to = report.hosts[0]?.result?.to as string;
    expect(to).toMatch(/^demo-v1\.1\.0-/);
    for (const h of fleet.hosts) {
      expect(r.stdout).toContain(`[${h.name}] upload ${size}\n`);
      expect(r.stdout).toContain(`[${h.name}] switch ${ids.v1} → ${to}, then reload nginx, restart demo (supervisor)`);
    }
    expect(r.stdout).toMatch(/^== plan: stage demo-v1\.1\.0-.* ==$/m);
    expect(r.stdout).toContain('== plan: activate ==');
    expect(r.stdout).toMatch(
      new RegExp(
        `^plan: 3 host\\(s\\), \\d+ step\\(s\\); upload .* to 3 host\\(s\\); 3 switch\\(es\\): ${ids.v1} → ${to}$`,
        'm',
      ),
    );
    expect(r.stdout + r.stderr).not.toMatch(/\bdone\b/);
    expect(r.stdout).not.toMatch(/\$ /); // the raw shell is -v's
    expect(snapshot()).toEqual(before);

    // h2 already has the artifact in its cache (put there by hand): its plan says so, and -v shows the commands
    const artifact = readFileSync(join(proj.dir, '.ferry/cache/bundles', `${to}.tar.gz`));
    const sha = createHash('sha256').update(artifact).digest('hex');
    const h2 = fleet.host('h2');
    await mkdir(join(h2.root, 'srv/demo/.ferry/bundles'), { recursive: true });
    await writeFile(join(h2.root, 'srv/demo/.ferry/bundles', `${sha}.tar.gz`), artifact);
    const cached = snapshot();
    const v = await run('--dry-run', '-v', 'deploy', 'demo', '--tag', 'v1.1.0', '--roles', 'app');
    expect(v.code).toBe(0);
    expect(v.stdout).toContain('[h2] no upload: the artifact is cached on the host');
    expect(v.stdout).toMatch(/; upload .* to 2 host\(s\);/);
    expect(v.stdout).toMatch(/^\[h1\] {5}\$ .*mv -Tf .*current/m);
    expect(v.stdout).toMatch(/^\[h1\] \(probe\) \$ /m);
    expect(snapshot()).toEqual(cached);

    // control: the same deploy for real changes what the snapshot sees
    const real = await run('deploy', 'demo', '--tag', 'v1.1.0', '--roles', 'app', '--json');
    expect(real.code, real.stderr).toBe(0);
    expect(parsed(real.stdout).hosts.every((h) => h.status === 'ok')).toBe(true);
    ids.v2 = to;
    expect(snapshot()).not.toEqual(before);
    expect(fleet.hosts.map(current)).toEqual([to, to, to]);
  });

  it('rollback, restart, releases and history --json: stdout parses', async () => {
    const back = await run('rollback', 'demo', '--roles', 'app', '--json');
    expect(back.code, back.stderr).toBe(0);
    expect(parsed(back.stdout).hosts.map((h) => h.result?.to)).toEqual([ids.v1, ids.v1, ids.v1]);
    expect(back.stderr).toContain(`live: ${ids.v1} on all 3 hosts`);
    const restart = await run('restart', 'demo', '--roles', 'app', '--json');
    expect(restart.code, restart.stderr).toBe(0);
    expect(parsed(restart.stdout).hosts.every((h) => h.steps.some((s) => s.id === 'restart'))).toBe(true);
    // releases and history put their tables on stderr too then (after the command word: its argument stays)
    for (const cmd of ['releases', 'history']) {
      const r = await run(cmd, '--json', 'demo', '--roles', 'app');
      expect(r.code, r.stderr).toBe(0);
      expect(parsed(r.stdout).hosts).toHaveLength(3);
    }
  });

  it('run and a task --json parse; `--json disk` runs the disk task, no file named disk', async () => {
    const r = await run('run', '--roles', 'app', '--json', '--', 'hostname');
    expect(r.code, r.stderr).toBe(0);
    expect(parsed(r.stdout).hosts).toHaveLength(3);
    const d = await ferry(['--project', proj.dir, ...flags, '--json', 'disk', '--roles', 'app'], { cwd: proj.dir });
    expect(d.code, d.stderr).toBe(0);
    expect(parsed(d.stdout).hosts.map((h) => h.result)).toEqual([{ lines: 2 }, { lines: 2 }, { lines: 2 }]);
    expect(d.stderr).toMatch(/\[h1\] /);
    expect(existsSync(join(proj.dir, 'disk'))).toBe(false);
    // control: a word that reads as a file still names the report's file
    const f = await ferry(['--project', proj.dir, ...flags, '--json', '.disk.json', 'disk', '--hosts', 'h1'], {
      cwd: proj.dir,
    });
    expect(f.code, f.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(proj.dir, '.disk.json'), 'utf8')).hosts).toHaveLength(1);
  });

  it('hosts on different releases: the summary says mixed, with counts', async () => {
    const one = await run('deploy', 'demo', '--tag', 'v1.1.0', '--hosts', 'h1');
    expect(one.code, one.stdout + one.stderr).toBe(0);
    expect(one.stdout).toContain(`live: ${ids.v2} on h1`);
    const r = await run('restart', 'demo', '--roles', 'app');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`live: mixed — ${ids.v1} on 2 (h2, h3), ${ids.v2} on 1 (h1)`);
  });
});
