import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FERRYNOSUDO_USER, FERRYTEST_PASSWORD, FERRYTEST_USER, startFleet, type Fleet } from '../fleet/fleet.js';
import { ferry, fleetFlags } from '../helpers/ferry-cli.js';
import { fleetSkipReason } from '../helpers/skip.js';
import { makeDemoProject, DEMO_ATTRS, type DemoProject } from '../helpers/demo-project.js';
import { checkCurrent } from '../helpers/release-check.js';

const skip = fleetSkipReason();

/** Issue 12 part 3: the deploy user owns the deploy path and sudoes only the service steps. */
describe.skipIf(skip)('deploying as an unprivileged deploy user', () => {
  let fleet: Fleet;
  let proj: DemoProject;
  const inventories: Record<string, string> = {};
  const ids: Record<string, string> = {};
  const current = (h: { root: string }) => readlinkSync(join(h.root, 'srv/demo/current')).replace('releases/', '');
  const lockGone = () => fleet.hosts.every((h) => !existsSync(join(h.root, 'srv/demo/.ferry/lock')));
  const as = (user: string, args: string[], password: string | undefined = FERRYTEST_PASSWORD) =>
    ferry(
      [
        '--project',
        proj.dir,
        ...fleetFlags({ ...fleet, inventoryFile: inventories[user] ?? '' }),
        ...args,
        '--roles',
        'app',
      ],
      { timeoutMs: 240_000, env: { FERRY_SUDO_PASSWORD: password ?? '' } },
    );
  const own = (user: string) =>
    Promise.all(
      fleet.hosts.map((h) =>
        fleet.exec(h, `install -d -o ${user} -g ${user} /srv/demo && chown -R ${user}: /srv/demo`),
      ),
    );
  const programPid = async (h: Fleet['hosts'][number]) =>
    (await fleet.exec(h, 'supervisorctl -c /etc/supervisor/supervisord.conf pid demo')).stdout.trim();

  beforeAll(async () => {
    fleet = await startFleet({ hosts: 2, extraInventory: { defaults: DEMO_ATTRS } });
    const doc = parseYaml(readFileSync(fleet.inventoryFile, 'utf8')) as { hosts: Record<string, { user: string }> };
    proj = await makeDemoProject(readFileSync(fleet.inventoryFile, 'utf8'));
    for (const user of [FERRYTEST_USER, FERRYNOSUDO_USER]) {
      for (const h of Object.values(doc.hosts)) h.user = user;
      inventories[user] = join(proj.dir, `inventory-${user}.yaml`);
      await writeFile(inventories[user], stringifyYaml(doc));
    }
    proj.tag('v1.0.0');
    await proj.setVersion('1.1.0');
    proj.tag('v1.1.0');
    await own(FERRYTEST_USER);
  }, 300_000);
  afterAll(async () => {
    await fleet?.stop();
  });

  it('with sudo: deploy, a second deploy, rollback and restart work; the release store is the user’s', async () => {
    const d1 = await as(FERRYTEST_USER, ['deploy', 'demo', '--tag', 'v1.0.0']);
    expect(d1.code, d1.stdout + d1.stderr).toBe(0);
    ids.v1 = current(fleet.hosts[0]!);
    const d2 = await as(FERRYTEST_USER, ['deploy', 'demo', '--tag', 'v1.1.0']);
    expect(d2.code, d2.stdout + d2.stderr).toBe(0);
    ids.v2 = current(fleet.hosts[0]!);
    for (const h of fleet.hosts) {
      expect(checkCurrent(h.root, 'demo')).toMatchObject({ current: ids.v2, complete: true });
      // the store is the deploy user's; the service configs are linked (as root) into /etc
      const owners = await fleet.exec(
        h,
        `stat -c %U /srv/demo/releases/${ids.v2} /srv/demo/.ferry/history.jsonl /srv/demo/current && ` +
          'readlink -f /etc/nginx/sites-enabled/demo.conf /etc/supervisor/conf.d/demo.conf',
      );
      expect(owners.stdout.split('\n').slice(0, 3)).toEqual([FERRYTEST_USER, FERRYTEST_USER, FERRYTEST_USER]);
      expect(owners.stdout).toContain(`/srv/demo/releases/${ids.v2}/configs/`);
      const answer = await fleet.exec(
        h,
        `for i in $(seq 1 50); do curl -fsS http://${h.address}:${DEMO_ATTRS.http_port}/ && break; sleep 0.2; done`,
      );
      expect(answer.stdout).toContain('1.1.0');
    }
    const rb = await as(FERRYTEST_USER, ['rollback', 'demo']);
    expect(rb.code, rb.stdout + rb.stderr).toBe(0);
    for (const h of fleet.hosts) expect(current(h)).toBe(ids.v1);
    const before = await Promise.all(fleet.hosts.map(programPid));
    expect(
      before.every((p) => /^\d+$/.test(p)),
      before.join(','),
    ).toBe(true);
    const rs = await as(FERRYTEST_USER, ['restart', 'demo']);
    expect(rs.code, rs.stdout + rs.stderr).toBe(0);
    const after = await Promise.all(fleet.hosts.map(programPid));
    for (const [i, p] of after.entries()) expect(p).not.toBe(before[i]);
    expect(rs.stdout + rs.stderr).not.toContain(FERRYTEST_PASSWORD);
    expect(lockGone()).toBe(true);
  }, 300_000);

  it('without the sudo right: refused before anything is locked or switched, naming sudo and the user', async () => {
    // a user who may not write the deploy path: the denied path, not a lock held by nobody
    const denied = await as(FERRYNOSUDO_USER, ['deploy', 'demo', '--tag', 'v1.1.0']);
    expect(denied.code, denied.stdout + denied.stderr).toBe(1);
    const text = denied.stdout + denied.stderr;
    expect(text).toMatch(
      new RegExp(`cannot take the deploy lock /srv/demo/\\.ferry/lock as ${FERRYNOSUDO_USER}: .*Permission denied`),
    );
    expect(text).not.toMatch(/held by|STALE|unknown owner/);
    // the user owns the path, but may not sudo: sudo's refusal is the error, nothing switched
    await own(FERRYNOSUDO_USER);
    try {
      const before = fleet.hosts.map(current);
      const r = await as(FERRYNOSUDO_USER, ['deploy', 'demo', '--tag', 'v1.1.0']);
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stdout + r.stderr).toMatch(
        new RegExp(`${FERRYNOSUDO_USER} may not run the service steps as root .*sudoers`),
      );
      expect(r.stdout + r.stderr).not.toMatch(/held by|STALE/);
      expect(fleet.hosts.map(current)).toEqual(before);
      expect(lockGone()).toBe(true);
      // no password at all: sudo's question is the error
      const nopw = await as(FERRYNOSUDO_USER, ['deploy', 'demo', '--tag', 'v1.1.0'], '');
      expect(nopw.code).toBe(1);
      expect(nopw.stdout + nopw.stderr).toMatch(/sudo asked for a password/);
      expect(fleet.hosts.map(current)).toEqual(before);
      expect(lockGone()).toBe(true);
    } finally {
      await own(FERRYTEST_USER);
    }
  }, 300_000);
});
