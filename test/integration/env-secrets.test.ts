import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FERRYTEST_USER, startFleet, type Fleet } from '../fleet/fleet.js';
import { ferry, fleetFlags, startFerry } from '../helpers/ferry-cli.js';
import { fleetSkipReason } from '../helpers/skip.js';
import { makeDemoProject, DEMO_ATTRS, type DemoProject } from '../helpers/demo-project.js';
import { HOSTILE_STRINGS, YAML_SHAPED } from '../fixtures/hostile-strings.js';

const skip = fleetSkipReason();

// two distinctive tokens, one per line: a leak of either line is found, not only of the whole value
const T1 = `tok1${randomBytes(6).toString('hex')}`;
const T2 = `tok2${randomBytes(6).toString('hex')}`;
/** a secret with quotes, `$`, a backslash and a newline: written literally, read back by the app */
const SECRET = `p@ss "dq" 'sq' $HOME \\ ${T1}\nline2 ${T2}`;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** Every file under `dir` (recursively), gzip members also searched decompressed. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}
function textOf(file: string): string {
  const raw = readFileSync(file);
  const parts = [raw.toString('latin1')];
  if (file.endsWith('.gz')) parts.push(gunzipSync(raw).toString('latin1'));
  return parts.join('\n');
}
/** How often either token of the secret occurs in `text`. */
const leaks = (text: string) => text.split(T1).length - 1 + (text.split(T2).length - 1);

describe.skipIf(skip)('env files and secrets on a 3-host fleet', () => {
  let fleet: Fleet;
  let proj: DemoProject;
  let flags: string[];
  const cache = mkdtempSync(join(tmpdir(), 'ferry-xdg-'));
  const env = { DEMO_SECRET: SECRET, XDG_CACHE_HOME: cache };
  const run = (args: string[], extraEnv: NodeJS.ProcessEnv = env) =>
    ferry(['--project', proj.dir, ...flags, ...args], { timeoutMs: 240_000, env: extraEnv });
  const current = (h: { root: string }) => readlinkSync(join(h.root, 'srv/demo/current')).replace('releases/', '');
  const releases = (h: { root: string }) => readdirSync(join(h.root, 'srv/demo/releases')).sort();
  const bundleTs = () => join(proj.dir, 'bundles/demo/bundle.ts');
  let original = '';
  /** Tag a variant of the demo definition: `edit` rewrites bundle.ts's text. */
  const unchanged = (text: string) => text;
  const variant = async (tag: string, edit: (text: string) => string) => {
    const text = edit(original);
    if (edit !== unchanged) expect(text, 'the edit must change bundle.ts').not.toBe(original);
    await writeFile(bundleTs(), text);
    proj.tag(tag);
  };

  beforeAll(async () => {
    fleet = await startFleet({ hosts: 3, extraInventory: { defaults: { ...DEMO_ATTRS, app_user: FERRYTEST_USER } } });
    proj = await makeDemoProject(readFileSync(fleet.inventoryFile, 'utf8'));
    flags = fleetFlags({ ...fleet, inventoryFile: join(proj.dir, 'inventory.yaml') });
    original = await readFile(bundleTs(), 'utf8');
    proj.tag('v1.0.0');
  }, 300_000);
  afterAll(async () => {
    await fleet?.stop();
    await rm(cache, { recursive: true, force: true });
  });

  it('every host’s app reads the secret (hash at /version); 0600, the app user’s; the secret is nowhere else', async () => {
    const dry = await run(['deploy', 'demo', '--tag', 'v1.0.0', '--roles', 'app', '--dry-run']);
    expect(dry.code, dry.stdout + dry.stderr).toBe(0);
    expect(dry.stdout).toContain('DEMO_SECRET=***');
    expect(dry.stdout).toContain(`APP_PORT=${DEMO_ATTRS.app_port}`);

    // sample `ps` on the hosts (round robin) for as long as the deploy runs
    const json = join(proj.dir, 'deploy.json');
    const deploy = startFerry(
      ['--project', proj.dir, ...flags, '--json', json, 'deploy', 'demo', '--tag', 'v1.0.0', '--roles', 'app'],
      { timeoutMs: 240_000, env },
    );
    const samples: string[] = [];
    for (let i = 0; !deploy.exited(); i++) {
      const h = fleet.hosts[i % fleet.hosts.length]!;
      samples.push((await fleet.exec(h, 'ps -eo args')).stdout);
    }
    const r = await deploy.done;
    expect(r.code, r.stdout + r.stderr).toBe(0);
    // control: the samples were taken while ferry worked on the hosts
    expect(samples.length).toBeGreaterThan(3);
    expect(samples.some((s) => s.includes('/srv/demo/'))).toBe(true);

    for (const h of fleet.hosts) {
      const answer = await fleet.exec(
        h,
        `for i in $(seq 1 50); do curl -fsS http://${h.address}:${DEMO_ATTRS.app_port}/version && break; sleep 0.2; done`,
      );
      expect(JSON.parse(answer.stdout)).toMatchObject({ secretSha256: sha(SECRET) });
      const st = await fleet.exec(h, 'stat -L -c "%a %U" /srv/demo/current/app/.env');
      expect(st.stdout.split('\n')[0]).toBe(`600 ${FERRYTEST_USER}`);
      // control for the searches below: the one place the secret is, it is found
      expect(leaks(readFileSync(join(h.root, 'srv/demo/current/app/.env'), 'latin1'))).toBe(2);
    }
    // the artifact stays identical on every host: one sha256
    const shas = new Set(
      fleet.hosts.map((h) => readFileSync(join(h.root, `srv/demo/releases/${current(h)}/.ferry-sha256`), 'utf8')),
    );
    expect(shas.size).toBe(1);

    const places: Record<string, string> = {
      terminal: r.stdout + r.stderr,
      'dry-run': dry.stdout + dry.stderr,
      json: readFileSync(json, 'utf8'),
      ps: samples.join('\n'),
    };
    // local logs, the bundle cache (artifact + manifest), every other file ferry keeps, the user cache
    for (const f of [...filesUnder(join(proj.dir, '.ferry')), ...filesUnder(cache)]) places[f] = textOf(f);
    expect(Object.keys(places).some((p) => p.endsWith('.tar.gz'))).toBe(true);
    expect(Object.keys(places).some((p) => p.endsWith('.log'))).toBe(true);
    const found = Object.entries(places)
      .filter(([, text]) => leaks(text) > 0)
      .map(([p]) => p);
    expect(found).toEqual([]);
    // the env file rides in the stage command's stdin: no channel more than a deploy without one (deploy.test: ≤ 6)
    // (the demo's migration adds one exec on the one host that runs it)
    type Rep = { hosts: { host: string; channels: number; steps: { id: string }[] }[] };
    const rep = JSON.parse(readFileSync(json, 'utf8')) as Rep;
    for (const h of rep.hosts) {
      const once = h.steps.filter((s) => s.id === 'once:migrate').length;
      expect(h.channels, h.host).toBeLessThanOrEqual(6 + once);
    }
    // and a redeploy with the same secret is still the one-round-trip no-op
    const again = join(proj.dir, 'again.json');
    const r2 = await run(['--json', again, 'deploy', 'demo', '--tag', 'v1.0.0', '--roles', 'app']);
    expect(r2.code, r2.stdout + r2.stderr).toBe(0);
    const rep2 = JSON.parse(readFileSync(again, 'utf8')) as { hosts: { channels: number; steps: { id: string }[] }[] };
    for (const h of rep2.hosts) expect([h.channels, h.steps.map((s) => s.id)]).toEqual([1, ['probe']]);
    // the host's own ferry files (history, lock owner, manifests) hold no secret either
    for (const h of fleet.hosts) {
      const hostFiles = [
        ...filesUnder(join(h.root, 'srv/demo/.ferry')),
        join(h.root, 'srv/demo/releases', current(h), 'manifest.json'),
      ];
      expect(hostFiles.filter((f) => existsSync(f) && leaks(textOf(f)) > 0)).toEqual([]);
    }
  }, 300_000);

  it('hostile and YAML-shaped --set values reach a template and the env file byte for byte', async () => {
    const values = [...HOSTILE_STRINGS, ...YAML_SHAPED];
    const SEP = '<<ferry-sep-7f>>';
    const tpl = values.map((_v, i) => `{{ host.attrs.hv.v${i} }}`).join(SEP);
    await writeFile(join(proj.dir, 'bundles/demo/templates/values.liquid'), tpl);
    const vars = values.map((_v, i) => `H${i}: attr('hv.v${i}')`).join(', ');
    await variant('v1.1.0', (t) =>
      t
        .replace("APP_PORT: attr('app_port') }", `APP_PORT: attr('app_port'), ${vars} }`)
        .replace(
          '  configs: [',
          "  configs: [\n    { template: 'templates/values.liquid', target: 'values/v.txt', roles: ['app'] },",
        ),
    );
    const sets = values.flatMap((v, i) => ['--set', `hv.v${i}=${v}`]);
    const r = await run([...sets, 'deploy', 'demo', '--tag', 'v1.1.0', '--roles', 'app']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const h of fleet.hosts) {
      const rendered = readFileSync(join(h.root, 'srv/demo/current/config/values/v.txt'), 'utf8');
      expect(rendered.split(SEP)).toEqual(values);
      // read back on the host by its sh, as an app's start script would
      const keys = values.map((_v, i) => `"$H${i}"`).join(' ');
      const back = await fleet.exec(h, `set -a && . /srv/demo/current/app/.env && printf '%s\\0' ${keys}`);
      expect(back.stdout.split('\0').slice(0, -1)).toEqual(values);
    }
  }, 300_000);

  it('bad input exits 2 naming the file and key, with nothing uploaded', async () => {
    const before = fleet.hosts.map((h) => [releases(h), readdirSync(join(h.root, 'srv/demo/.ferry/bundles')).sort()]);
    // a var name that is not an identifier
    await variant('v1.2.0', (t) =>
      t.replace("APP_PORT: attr('app_port') }", "APP_PORT: attr('app_port'), 'BAD-NAME': 'x' }"),
    );
    const bad = await run(['deploy', 'demo', '--tag', 'v1.2.0', '--roles', 'app']);
    expect(bad.code, bad.stdout + bad.stderr).toBe(2);
    expect(bad.stderr).toMatch(
      /bundles\/demo\/bundle\.ts:\d+:\d+: envFile\.vars\.BAD-NAME: "BAD-NAME" is not an environment variable name/,
    );
    // a missing secret: neither in the environment nor in a secrets file
    await variant('v1.3.0', unchanged);
    const missing = await run(['deploy', 'demo', '--tag', 'v1.3.0', '--roles', 'app'], {
      XDG_CACHE_HOME: cache,
      FERRY_SECRETS_FILE: join(proj.dir, 'no-such-secrets.yaml'),
    });
    expect(missing.code, missing.stdout + missing.stderr).toBe(2);
    expect(missing.stderr).toContain('bundles/demo/bundle.ts: envFile.vars.DEMO_SECRET: secret DEMO_SECRET is not set');
    expect(fleet.hosts.map((h) => [releases(h), readdirSync(join(h.root, 'srv/demo/.ferry/bundles')).sort()])).toEqual(
      before,
    );
    // control: the same tag with the secret (from the project's secrets.yaml) deploys, uploading a new artifact
    const ok = await run(['deploy', 'demo', '--tag', 'v1.3.0', '--roles', 'app'], { XDG_CACHE_HOME: cache });
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(fleet.hosts.map((h) => releases(h).length)).toEqual(before.map(([r]) => r!.length + 1));
  }, 300_000);

  it('shared files: a missing required one fails staging naming the path, nothing switched; an optional one may be absent', async () => {
    const before = fleet.hosts.map(current);
    await variant('v1.4.0', (t) =>
      t.replace("shared: ['log', 'tmp', 'data'],", "shared: ['log', 'tmp', 'data', { file: 'app/local.json' }],"),
    );
    const r = await run(['deploy', 'demo', '--tag', 'v1.4.0', '--roles', 'app']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout + r.stderr).toContain('required shared file /srv/demo/shared/app/local.json is missing');
    expect(fleet.hosts.map(current)).toEqual(before);
    for (const h of fleet.hosts)
      expect(releases(h).some((d) => d.startsWith('demo-v1.4.0') && !d.endsWith('.partial'))).toBe(false);
    // put it on every host: staged, linked, deployed
    for (const h of fleet.hosts)
      await fleet.exec(
        h,
        `mkdir -p /srv/demo/shared/app && echo '{"h":"${h.name}"}' > /srv/demo/shared/app/local.json`,
      );
    const ok = await run(['deploy', 'demo', '--tag', 'v1.4.0', '--roles', 'app']);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    for (const h of fleet.hosts) {
      expect(readlinkSync(join(h.root, 'srv/demo/current/app/local.json'))).toBe('/srv/demo/shared/app/local.json');
      expect(statSync(join(h.root, 'srv/demo/shared/app/local.json')).isFile()).toBe(true);
    }
    // optional and absent: deploys, nothing linked
    await variant('v1.5.0', (t) =>
      t.replace(
        "shared: ['log', 'tmp', 'data'],",
        "shared: ['log', 'tmp', 'data', { file: 'app/absent.json', optional: true }],",
      ),
    );
    const opt = await run(['deploy', 'demo', '--tag', 'v1.5.0', '--roles', 'app']);
    expect(opt.code, opt.stdout + opt.stderr).toBe(0);
    for (const h of fleet.hosts) {
      expect(current(h)).toMatch(/^demo-v1\.5\.0-/);
      expect(existsSync(join(h.root, 'srv/demo/current/app/absent.json'))).toBe(false);
    }
  }, 300_000);
});
