import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet, type FleetHost } from '../fleet/fleet.js';
import { ferry, fleetFlags } from '../helpers/ferry-cli.js';
import { fleetSkipReason } from '../helpers/skip.js';
import { makeDemoProject, DEMO_ATTRS, DEMO_SECRET, type DemoProject } from '../helpers/demo-project.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

const skip = fleetSkipReason();

interface Report {
  hosts: Array<{
    host: string;
    status: string;
    channels: number;
    steps: Array<{ id: string; status: string; command: string }>;
  }>;
}

interface Db {
  version: number;
  runs: Array<{ host: string; release: string; current: string | null; from: number; to: number; at: number }>;
}

/**
 * The demo's migration (its `once` step) on a 4-host fleet whose hosts share one database: each
 * host's shared/data is a link to one folder, as a network database would be. h3 is `primary`.
 */
describe.skipIf(skip)('run-once steps: the demo migration on a 4-host fleet', () => {
  let fleet: Fleet;
  let proj: DemoProject;
  let flags: string[];
  let db: string;
  let n = 0;
  const json = () => join(proj.dir, `.r${++n}.json`);
  const report = async (file: string): Promise<Report> => JSON.parse(await readFile(file, 'utf8')) as Report;
  const run = (...args: string[]) =>
    ferry(['--project', proj.dir, ...flags, ...args, '--roles', 'app'], { timeoutMs: 240_000 });
  const current = (h: FleetHost) => readlinkSync(join(h.root, 'srv/demo/current')).replace('releases/', '');
  const currents = () => fleet.hosts.map(current);
  const readDb = () => JSON.parse(readFileSync(join(db, 'schema.json'), 'utf8')) as Db;
  const runs = () => (existsSync(join(db, 'schema.json')) ? readDb().runs.length : 0);
  /** when each host's `current` was last switched (ln -s … current.tmp && mv -T: the link's own mtime) */
  const switchedAt = () => fleet.hosts.map((h) => lstatSync(join(h.root, 'srv/demo/current')).mtimeMs);
  const history = (h: FleetHost) =>
    readFileSync(join(h.root, 'srv/demo/.ferry/history.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, string>);
  const cached = () => fleet.hosts.map((h) => readdirSorted(join(h.root, 'srv/demo/.ferry/bundles')));
  const tagWith = async (tag: string, edit: (bundleTs: string) => string) => {
    const file = join(proj.dir, 'bundles/demo/bundle.ts');
    const before = await readFile(file, 'utf8');
    const after = edit(before);
    expect(after).not.toBe(before);
    await writeFile(file, after);
    proj.tag(tag);
    await writeFile(file, before);
    proj.git('commit', '-qam', `undo ${tag}`);
  };

  beforeAll(async () => {
    fleet = await startFleet({ hosts: 4, extraInventory: { defaults: DEMO_ATTRS } });
    const inv = parseYaml(readFileSync(fleet.inventoryFile, 'utf8')) as {
      hosts: Record<string, { primary?: boolean }>;
    };
    inv.hosts.h3!.primary = true;
    proj = await makeDemoProject(stringifyYaml(inv));
    flags = fleetFlags({ ...fleet, inventoryFile: join(proj.dir, 'inventory.yaml') });
    // the fleet dir is visible at the same path on every host: one database for all four
    db = join(fleet.dir, 'shared-db');
    mkdirSync(db);
    for (const h of fleet.hosts) {
      mkdirSync(join(h.root, 'srv/demo/shared'), { recursive: true });
      symlinkSync(db, join(h.root, 'srv/demo/shared/data'));
    }
    proj.tag('v1.0.0');
    await proj.setVersion('1.1.0');
    proj.tag('v1.1.0');
  }, 300_000);
  afterAll(async () => {
    await fleet?.stop();
  });

  const versionOf = async (h: FleetHost) => {
    const url = `http://${h.address}:${DEMO_ATTRS.http_port}/version`;
    const r = await fleet.exec(h, `for i in $(seq 1 50); do curl -fsS ${url} && break; sleep 0.2; done`);
    return JSON.parse(r.stdout) as { version: string; schema: number | null; secretSha256?: string };
  };

  /** The migration ran once, on h3, in the new release, while every host was still on `before`. */
  const ranOnceBeforeAnySwitch = async (file: string, before: readonly (string | undefined)[], runsBefore: number) => {
    const all = readDb();
    expect(all.runs).toHaveLength(runsBefore + 1);
    const last = all.runs[all.runs.length - 1]!;
    const to = current(fleet.hosts[0]!);
    expect(last).toMatchObject({ host: 'h3', release: to, secretSha256: sha256(DEMO_SECRET) });
    expect(last.current).toBe(before[2] === undefined ? null : `releases/${before[2]}`);
    for (const t of switchedAt()) expect(last.at).toBeLessThan(t);
    // …and after every host staged (.ferry-sha256 is written at the end of staging)
    for (const h of fleet.hosts)
      expect(statSync(join(h.root, 'srv/demo/releases', to, '.ferry-sha256')).mtimeMs).toBeLessThan(last.at);
    const rep = await report(file);
    for (const h of rep.hosts) {
      const once = h.steps.filter((s) => s.id === 'once:migrate');
      expect(once, h.host).toHaveLength(h.host === 'h3' ? 1 : 0);
    }
    // every app reads the same secret from its own host's env file
    for (const h of fleet.hosts)
      expect(await versionOf(h)).toMatchObject({ schema: 2, secretSha256: sha256(DEMO_SECRET) });
  };

  it('a first deploy and the next: the migration runs on exactly one host (the primary), before any switch', async () => {
    const f1 = json();
    const r1 = await run('--json', f1, 'deploy', 'demo', '--tag', 'v1.0.0');
    expect(r1.code, r1.stdout + r1.stderr).toBe(0);
    expect(r1.stdout).toContain('== once migrate on h3 (primary) ==');
    await ranOnceBeforeAnySwitch(f1, [undefined, undefined, undefined, undefined], 0);
    expect(readDb().runs[0]).toMatchObject({ from: 0, to: 2 });
    const before = currents();
    const f2 = json();
    const r2 = await run('--json', f2, 'deploy', 'demo', '--tag', 'v1.1.0');
    expect(r2.code, r2.stdout + r2.stderr).toBe(0);
    await ranOnceBeforeAnySwitch(f2, before, 1);
    expect(currents().every((c) => c.startsWith('demo-v1.1.0-'))).toBe(true);
    for (const h of fleet.hosts)
      expect(await versionOf(h)).toMatchObject({ name: 'demo', version: '1.1.0', schema: 2 });
  }, 300_000);

  it('an unchanged redeploy runs no once-step: still one channel per host', async () => {
    const f = json();
    const r = await run('--json', f, 'deploy', 'demo', '--tag', 'v1.1.0');
    expect(r.code, r.stdout).toBe(0);
    for (const h of (await report(f)).hosts) {
      expect(h.steps.map((s) => s.id)).toEqual(['probe']);
      expect(h.channels).toBe(1);
    }
    expect(runs()).toBe(2);
  });

  it('--batch 1: the once-step runs once for the deploy, not once per batch', async () => {
    const before = runs();
    const r = await run('deploy', 'demo', '--tag', 'v1.0.0', '--batch', '1');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    // control: it really went batch by batch
    expect(r.stdout).toContain('== batch 4/4: h4 ==');
    expect(r.stdout.match(/== once migrate on /g)).toHaveLength(1);
    expect(runs()).toBe(before + 1);
    expect(currents().every((c) => c.startsWith('demo-v1.0.0-'))).toBe(true);
  }, 300_000);

  it('a failing migration: nothing switched anywhere, exit 1, history names the step and host', async () => {
    await writeFile(
      join(proj.dir, 'bundles/demo/app/migrate.js'),
      "process.stderr.write('migrate: relation items is locked\\n');\nprocess.exit(3);\n",
    );
    proj.tag('v-bad-migration');
    proj.git('checkout', '-q', 'v1.1.0', '--', 'bundles/demo/app/migrate.js');
    proj.git('commit', '-qam', 'restore migrate.js');
    const before = currents();
    const runsBefore = runs();
    const f = json();
    const r = await run('--json', f, 'deploy', 'demo', '--tag', 'v-bad-migration');
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(currents()).toEqual(before);
    expect(runs()).toBe(runsBefore);
    const rep = await report(f);
    expect(rep.hosts.find((h) => h.host === 'h3')?.status).toBe('failed');
    for (const h of fleet.hosts) {
      const last = history(h).pop()!;
      expect(last.error, h.name).toContain("once step 'migrate' failed on h3: nothing switched");
      expect(last.result).toBe(h.name === 'h3' ? 'failed' : 'staged-only');
      if (h.name === 'h3') {
        expect(last.failedStep).toBe('once:migrate');
        expect(last.error).toContain('relation items is locked');
      }
      expect(existsSync(join(h.root, 'srv/demo/.ferry/lock'))).toBe(false);
    }
  }, 300_000);

  it('--dry-run shows the once-step with its host and runs nothing', async () => {
    await proj.setVersion('1.2.0');
    proj.tag('v1.2.0');
    const before = currents();
    const runsBefore = runs();
    const f = json();
    const r = await run('--dry-run', '--json', f, 'deploy', 'demo', '--tag', 'v1.2.0');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('== once migrate on h3 (primary) ==');
    const h3 = (await report(f)).hosts.find((h) => h.host === 'h3')!;
    const step = h3.steps.find((s) => s.id === 'once:migrate');
    expect(step).toMatchObject({ status: 'planned' });
    expect(step?.command).toMatch(/cd '?\/srv\/demo\/releases\/demo-v1\.2\.0-[^ ]+ && .*exec node app\/migrate\.js/);
    expect(currents()).toEqual(before);
    expect(runs()).toBe(runsBefore);
  }, 300_000);

  it('an unknown role in `once`: exit 2 naming the file and key, nothing uploaded', async () => {
    const before = cached();
    await tagWith('v-bad-role', (t) => t.replace("role: 'app', run: ['node'", "role: 'web', run: ['node'"));
    const r = await run('deploy', 'demo', '--tag', 'v-bad-role');
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(/bundles\/demo\/bundle\.ts.*once\.0\.role: unknown role 'web'/s);
    // a role of the bundle that no host of the inventory has
    await tagWith('v-no-lb', (t) => t.replace("role: 'app', run: ['node'", "role: 'lb', run: ['node'"));
    const r2 = await run('deploy', 'demo', '--tag', 'v-no-lb');
    expect(r2.code, r2.stdout + r2.stderr).toBe(2);
    expect(r2.stderr).toMatch(/bundles\/demo\/bundle\.ts.*once\.0\.role: no host of the inventory has role 'lb'/s);
    expect(cached()).toEqual(before);
  }, 300_000);
});

function readdirSorted(dir: string): string {
  try {
    return readdirSync(dir).sort().join(',');
  } catch {
    return '';
  }
}
