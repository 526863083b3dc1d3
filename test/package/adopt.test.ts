// The path a new user walks: `npm pack` → install the tarball into a fresh project outside this
// repository (dependencies from the npm registry or its cache, never this repo's node_modules) →
// the README's quickstart, line by line → a real fleet with two stages.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet, type FleetHost } from '../fleet/fleet.js';
import { REPO } from '../helpers/ferry-cli.js';
import { fleetSkipReason } from '../helpers/skip.js';

const skip = fleetSkipReason();

/** The quickstart block of README.md: the commands a new user types, in order. */
function quickstart(): string[] {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const block = /<!-- quickstart:[^>]*-->\n```sh\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error('README.md has no quickstart block');
  return block
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

/** README's ```ts examples, each with the project path its first line names (`// tasks/hello.ts`). */
function readmeExamples(): Array<{ path: string; code: string }> {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  return [...readme.matchAll(/```ts\n\/\/ (\S+)\n([\s\S]*?)```/g)].map((m) => ({
    path: m[1] ?? '',
    code: m[2] ?? '',
  }));
}

interface Shell {
  code: number;
  out: string;
}

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'new user',
  GIT_AUTHOR_EMAIL: 'user@ferry.test',
  GIT_COMMITTER_NAME: 'new user',
  GIT_COMMITTER_EMAIL: 'user@ferry.test',
};

/** A command line as the user's shell runs it, in the project (no TTY, like CI). */
function sh(cwd: string, line: string, timeoutMs = 240_000): Promise<Shell> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...GIT_ENV, CI: '1', NO_COLOR: '1' };
    delete env.NODE_PATH;
    for (const k of Object.keys(env)) if (k.startsWith('npm_') || k.startsWith('VITEST')) delete env[k];
    const child = spawn('sh', ['-c', line], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, out });
    });
  });
}

const must = async (cwd: string, line: string): Promise<string> => {
  const r = await sh(cwd, line);
  expect(r.code, `${line}\n${r.out}`).toBe(0);
  return r.out;
};

/** An app repository as a user has it before ferry: package.json, .gitignore, git. */
async function userRepo(root: string, name: string): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir);
  await writeFile(join(dir, 'package.json'), `${JSON.stringify({ name, version: '1.0.0', private: true }, null, 2)}\n`);
  await writeFile(join(dir, '.gitignore'), 'node_modules/\n');
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  return dir;
}

/** The step between `init` and `check`: the user's hosts in the stage files, the keys in ferry.yaml. */
async function editStages(dir: string, fleet: Fleet, stages: Record<string, FleetHost[]>, port: number) {
  for (const [stage, hosts] of Object.entries(stages)) {
    const doc = {
      ...(stage === 'production' ? { stage: { protected: true } } : {}),
      defaults: { app_port: port },
      roles: { app: {} },
      hosts: Object.fromEntries(
        hosts.map((h) => [h.name, { address: h.address, port: h.port, user: 'root', roles: ['app'] }]),
      ),
    };
    await writeFile(join(dir, 'inventories', `${stage}.yaml`), stringify(doc));
  }
  const settings = await readFile(join(dir, 'ferry.yaml'), 'utf8');
  await writeFile(
    join(dir, 'ferry.yaml'),
    `${settings}known_hosts: ${fleet.knownHosts}\nidentity: ${fleet.clientKey}\n`,
  );
}

const deployed = (h: FleetHost, app: string) => existsSync(join(h.root, 'srv', app, 'current'));

describe.skipIf(skip)('a new project: npm pack → install → ferry init → check → deploy by stage', () => {
  let fleet: Fleet;
  let root: string;
  let tarball: string;
  const lines = quickstart();

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ferry-adopt-'));
    // the build is the one `npm test` made (pretest): packing must not rebuild under running tests
    const packed = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', root], {
      cwd: REPO,
      encoding: 'utf8',
    });
    const info = JSON.parse(packed) as Array<{ filename: string; entryCount: number; files: { path: string }[] }>;
    tarball = join(root, info[0]?.filename ?? '');
    const paths = info[0]?.files.map((f) => f.path) ?? [];
    // only what a user runs or reads: no src/, tests, bench, fixtures
    expect(
      paths.filter((p) => !/^(dist\/ferry|dist\/types|templates\/init)\/|^(README\.md|LICENSE|package\.json)$/.test(p)),
    ).toEqual([]);
    expect(paths).toContain('dist/types/index.d.ts');
    fleet = await startFleet({
      hosts: [
        { name: 'stg1', roles: ['app'] },
        { name: 'stg2', roles: ['app'] },
        { name: 'prod1', roles: ['app'] },
      ],
    });
  }, 300_000);
  afterAll(async () => {
    await fleet?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('follows the README quickstart with the node scaffold', async () => {
    expect(lines[0]).toBe('npm install --save-dev ferry typescript');
    const dir = await userRepo(root, 'my-app');
    const [stg1, stg2, prod1] = [fleet.host('stg1'), fleet.host('stg2'), fleet.host('prod1')];
    for (const line of lines) {
      if (line.startsWith('npm install')) {
        // the tarball instead of the registry's ferry; every dependency from the registry (or its cache)
        await must(dir, `${line.replace(' ferry ', ` ${tarball} `)} --prefer-offline --no-audit --no-fund`);
        expect(existsSync(join(dir, 'node_modules', 'ferry', 'src'))).toBe(false);
        continue;
      }
      if (line === 'npx ferry check')
        await editStages(dir, fleet, { staging: [stg1, stg2], production: [prod1] }, 8000);
      if (line.includes('--stage production')) {
        // without --yes (and no terminal) a protected stage refuses before any connection
        const refused = await sh(dir, line.replace(' --yes', ''));
        expect(refused.code, refused.out).toBe(2);
        expect(refused.out).toContain('stage production is protected: pass --yes');
        expect(deployed(prod1, 'my-app')).toBe(false);
      }
      const out = await must(dir, line);
      if (line === 'npx ferry init') {
        expect(out).toContain('wrote   bundles/my-app/bundle.ts');
        expect(out).toContain('wrote   tsconfig.json');
      }
      if (line === 'npx ferry check')
        expect(out).toContain('1 task(s) and 1 bundle(s) load and the project type-checks');
      if (line.includes('--stage staging deploy')) {
        expect(out).toContain('ferry: stage staging (inventories/staging.yaml)');
        // staging hosts only: production is untouched
        expect(deployed(stg1, 'my-app') && deployed(stg2, 'my-app')).toBe(true);
        expect(deployed(prod1, 'my-app')).toBe(false);
        const answer = await fleet.exec(stg1, `curl -fsS http://${stg1.address}:8000/`);
        expect(answer.stdout).toContain('"name":"my-app"');
      }
      if (line.includes('releases')) expect(out).toMatch(/my-app-v0\.1\.0-[0-9a-f]{7}-[0-9a-f]{8}/);
    }
    expect(deployed(prod1, 'my-app')).toBe(true);

    // init again: an existing project changes nothing and says so
    const before = readdirSync(dir).sort();
    const again = await must(dir, 'npx ferry init');
    expect(again).toContain('this is a ferry project already; nothing changed');
    expect(readdirSync(dir).sort()).toEqual(before);
    expect((await sh(dir, 'git status --porcelain')).out).toBe('');

    // an unknown stage exits 2 and lists the stages
    const unknown = await sh(dir, 'npx ferry --stage qa releases my-app');
    expect(unknown.code).toBe(2);
    expect(unknown.out).toContain("unknown stage 'qa'; stages: production, staging");

    // the README's task and bundle examples, as a user would paste them, load and type-check
    const examples = readmeExamples();
    expect(examples.map((e) => e.path)).toEqual(['tasks/hello.ts', 'bundles/demo/bundle.ts']);
    for (const e of examples) {
      await mkdir(join(dir, e.path, '..'), { recursive: true });
      await writeFile(join(dir, e.path), e.code);
    }
    expect(await must(dir, 'npx ferry check')).toContain('2 task(s) and 2 bundle(s) load');

    // a type error in a task that imports from 'ferry' is named file:line:column
    await writeFile(
      join(dir, 'tasks', 'broken.ts'),
      [
        "import { defineTask } from 'ferry';",
        '',
        'export default defineTask({',
        "  name: 'broken',",
        "  description: 'loads, but does not type-check',",
        '  async run(ctx) {',
        '    const port: number = ctx.host.name;',
        '    return port;',
        '  },',
        '});',
        '',
      ].join('\n'),
    );
    const check = await sh(dir, 'npx ferry check');
    expect(check.code, check.out).toBe(2);
    expect(check.out).toMatch(/ferry: tasks\/broken\.ts:7:11: .*not assignable to type 'number'/);
  }, 600_000);

  it('the python scaffold deploys to staging the same way', async () => {
    const dir = await userRepo(root, 'py-app');
    const install = lines[0]?.replace(' ferry ', ` ${tarball} `) ?? '';
    await must(dir, `${install} --prefer-offline --no-audit --no-fund`);
    const init = await must(dir, 'npx ferry init --bundle python');
    expect(init).toContain('wrote   bundles/py-app/pyproject.toml');
    await editStages(dir, fleet, { staging: [fleet.host('stg1')], production: [fleet.host('prod1')] }, 8001);
    await must(dir, 'npx ferry check');
    await must(dir, 'git add -A && git commit -qm "deploy with ferry" && git tag v0.1.0');
    const out = await must(dir, 'npx ferry --stage staging deploy py-app --tag v0.1.0');
    expect(out).toContain('stage staging: 1 host(s): 1 ok');
    const stg1 = fleet.host('stg1');
    const answer = await fleet.exec(stg1, `curl -fsS http://${stg1.address}:8001/`);
    expect(answer.stdout).toContain('"name": "py-app"');
    expect(deployed(fleet.host('prod1'), 'py-app')).toBe(false);
  }, 600_000);
});
