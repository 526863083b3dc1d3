import { readFileSync, readlinkSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet, type FleetHost } from '../fleet/fleet.js';
import { ferry, fleetFlags } from '../helpers/ferry-cli.js';
import { fleetSkipReason } from '../helpers/skip.js';
import { waitFor } from '../helpers/wait-for.js';
import { makeDemoProject, DEMO_ATTRS, type DemoProject } from '../helpers/demo-project.js';

const skip = fleetSkipReason();

type Entry = Record<string, unknown> & { action: string; result: string; from?: string; to?: string; bad?: string };

// One fleet, one story: three tagged releases deployed, then rollbacks that must use each
// release's own definition, agree across hosts (or be told --per-host), and skip a release marked bad.
describe.skipIf(skip)('rollback and history on a 3-host fleet', () => {
  let fleet: Fleet;
  let proj: DemoProject;
  let flags: string[];
  const ids: Record<string, string> = {};
  const run = (...args: string[]) => ferry(['--project', proj.dir, ...flags, ...args], { timeoutMs: 240_000 });
  const current = (h: FleetHost) => readlinkSync(join(h.root, 'srv/demo/current')).replace('releases/', '');
  const currents = () => fleet.hosts.map(current);
  const history = (h: FleetHost): Entry[] =>
    readFileSync(join(h.root, 'srv/demo/.ferry/history.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Entry);
  /** what the demo app answers on this host, once it answers with `version` */
  const answers = (h: FleetHost, version: string) =>
    waitFor(
      async () => {
        const r = await fleet.exec(h, `curl -fsS http://${h.address}:${DEMO_ATTRS.http_port}/ || true`);
        return r.stdout.includes(version) ? r.stdout : '';
      },
      { timeoutMs: 15_000, what: `${h.name} to answer ${version}`, everyMs: 100 },
    );
  const deploy = async (tag: string, ...more: string[]) => {
    const r = await run('deploy', 'demo', '--tag', tag, ...more);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  };

  beforeAll(async () => {
    // the demo bundle also names role lb: declared, with no host (no HAProxy in this story)
    fleet = await startFleet({ hosts: 3, extraInventory: { defaults: DEMO_ATTRS, roles: { lb: {} } } });
    proj = await makeDemoProject(readFileSync(fleet.inventoryFile, 'utf8'));
    flags = fleetFlags({ ...fleet, inventoryFile: join(proj.dir, 'inventory.yaml') });
    proj.tag('v1.0.0');
    await proj.setVersion('1.1.0');
    proj.tag('v1.1.0');
    await proj.setVersion('1.2.0');
    proj.tag('v1.2.0');
    for (const [k, tag] of [
      ['v1', 'v1.0.0'],
      ['v2', 'v1.1.0'],
      ['v3', 'v1.2.0'],
    ] as const) {
      await deploy(tag);
      ids[k] = current(fleet.hosts[0] as FleetHost);
    }
    expect(currents()).toEqual([ids.v3, ids.v3, ids.v3]);
  }, 600_000);
  afterAll(async () => {
    await fleet?.stop();
  });

  it("uses the release's own definition after the working tree's bundle.ts changed (link removed, program renamed)", async () => {
    const file = join(proj.dir, 'bundles/demo/bundle.ts');
    const committed = await readFile(file, 'utf8');
    const changed = committed
      .replace("      link: '/etc/nginx/sites-enabled/demo.conf',\n", '')
      .replace("program: 'demo'", "program: 'demo-renamed'");
    expect(changed).not.toBe(committed);
    await writeFile(file, changed);
    // the link is gone on the hosts too: only a rollback that links from the release's definition restores it
    for (const h of fleet.hosts) await fleet.exec(h, 'rm -f /etc/nginx/sites-enabled/demo.conf');
    try {
      const r = await run('rollback', 'demo');
      expect(r.code, r.stdout + r.stderr).toBe(0);
    } finally {
      await writeFile(file, committed);
    }
    expect(currents()).toEqual([ids.v2, ids.v2, ids.v2]);
    for (const h of fleet.hosts) {
      const site = await fleet.exec(h, 'readlink -f /etc/nginx/sites-enabled/demo.conf');
      expect(site.stdout.trim()).toMatch(
        new RegExp(`^/srv/demo/releases/${ids.v2}/configs/[0-9a-f]{16}/nginx/demo\\.conf$`),
      );
      const programs = await fleet.exec(h, 'supervisorctl status || true');
      expect(programs.stdout).toMatch(/^demo\s+RUNNING/m);
      expect(programs.stdout).not.toContain('demo-renamed');
      // the program was restarted on v1.1.0's code
      await answers(h, '1.1.0');
      const last = history(h).pop();
      expect(last).toMatchObject({ action: 'rollback', result: 'ok', from: ids.v3, to: ids.v2, bad: ids.v3 });
      expect(last?.tag).toBe('v1.1.0');
      expect(last?.durationMs).toBeGreaterThan(0);
    }
  }, 300_000);

  it('a second rollback skips the release marked bad and goes further back; releases shows the mark', async () => {
    // `previous` is v3 now on every host: going back to it would undo the first rollback
    for (const h of fleet.hosts) expect(readlinkSync(join(h.root, 'srv/demo/previous'))).toBe(`releases/${ids.v3}`);
    const r = await run('rollback', 'demo');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(currents()).toEqual([ids.v1, ids.v1, ids.v1]);
    for (const h of fleet.hosts) await answers(h, '1.0.0');
    const rel = await run('releases', 'demo');
    expect(rel.code, rel.stdout + rel.stderr).toBe(0);
    expect(rel.stdout).toContain(`${ids.v3} `);
    expect(rel.stdout).toMatch(new RegExp(`${ids.v3} .*BAD`));
    expect(rel.stdout).toMatch(new RegExp(`previous +${ids.v2} BAD`));
    // with everything newer marked bad, there is nowhere left to go without --to
    const none = await run('rollback', 'demo');
    expect(none.code).toBe(1);
    expect(none.stdout + none.stderr).toMatch(/no release to roll back to .*marked bad/);
    expect(currents()).toEqual([ids.v1, ids.v1, ids.v1]);
  }, 300_000);

  it('hosts whose previous releases differ: refused with each host candidates, nothing switched; --per-host proceeds', async () => {
    await deploy('v1.1.0');
    await deploy('v1.2.0', '--hosts', 'h1');
    const [h1, h2, h3] = fleet.hosts as [FleetHost, FleetHost, FleetHost];
    expect(currents()).toEqual([ids.v3, ids.v2, ids.v2]);
    const before = fleet.hosts.map((h) => history(h).length);
    const r = await run('rollback', 'demo');
    const out = r.stdout + r.stderr;
    expect(r.code, out).toBe(1);
    expect(currents()).toEqual([ids.v3, ids.v2, ids.v2]);
    expect(out).toMatch(new RegExp(`\\[h1\\].*disagree.*newest first: ${ids.v2}, ${ids.v1} `));
    expect(out).toMatch(new RegExp(`\\[h2\\].*disagree.*newest first: ${ids.v1} `));
    expect(out).toMatch(new RegExp(`\\[h3\\].*disagree.*newest first: ${ids.v1} `));
    expect(out).toContain('--per-host');
    for (const [i, h] of fleet.hosts.entries()) {
      expect(history(h).length).toBe((before[i] ?? 0) + 1);
      expect(history(h).pop()).toMatchObject({ action: 'rollback', result: 'failed' });
    }
    await answers(h1, '1.2.0');
    const per = await run('rollback', 'demo', '--per-host');
    expect(per.code, per.stdout + per.stderr).toBe(0);
    expect(currents()).toEqual([ids.v2, ids.v1, ids.v1]);
    await answers(h1, '1.1.0');
    await answers(h2, '1.0.0');
    await answers(h3, '1.0.0');
  }, 300_000);

  it('ferry history lists every entry, filters by host and count, and --json parses', async () => {
    const all = fleet.hosts.flatMap((h) => history(h).map((e) => ({ host: h.name, ...e })));
    const table = await run('history', 'demo');
    expect(table.code, table.stdout + table.stderr).toBe(0);
    const rows = table.stdout.split('\n').filter((l) => /^\d{4}-\d\d-\d\d /.test(l));
    expect(rows).toHaveLength(all.length);
    expect(table.stdout).toMatch(/^WHEN +HOST +ACTION +RESULT +FROM → TO +TAG +BY +TOOK +FAILED$/m);
    expect(rows.filter((l) => / h1 +rollback +failed /.test(l))).toHaveLength(2);
    expect(rows.some((l) => l.includes(`${ids.v3} → ${ids.v2}`) && / v1\.1\.0 /.test(l))).toBe(true);
    const one = await run('history', 'demo', '--hosts', 'h2');
    const h2Rows = one.stdout.split('\n').filter((l) => /^\d{4}-/.test(l));
    expect(h2Rows).toHaveLength(history(fleet.hosts[1] as FleetHost).length);
    expect(h2Rows.every((l) => / h2 /.test(l))).toBe(true);
    const last = await run('history', 'demo', '-n', '2');
    const lastRows = last.stdout.split('\n').filter((l) => /^\d{4}-/.test(l));
    expect(lastRows).toHaveLength(2);
    expect(lastRows.every((l) => / rollback +ok /.test(l))).toBe(true);
    const json = await run('history', 'demo', '--json');
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as { hosts: Array<{ host: string; result: { entries: Entry[] } }> };
    expect(report.hosts.map((h) => h.host)).toEqual(['h1', 'h2', 'h3']);
    for (const h of report.hosts) {
      expect(h.result.entries).toEqual(history(fleet.hosts.find((x) => x.name === h.host) as FleetHost));
    }
  }, 300_000);
});
