import { existsSync, readdirSync, utimesSync } from 'node:fs';
import { mkdtemp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ferry, REPO } from '../helpers/ferry-cli.js';

async function project(
  tasks: Record<string, string>,
  inventory = 'hosts:\n  h1: { address: 127.0.0.1, port: 1, roles: [app] }\n',
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-cli-'));
  await mkdir(join(dir, 'tasks'));
  for (const [f, text] of Object.entries(tasks)) await writeFile(join(dir, 'tasks', f), text);
  await writeFile(join(dir, 'inventory.yaml'), inventory);
  return dir;
}

describe('the CLI without a fleet', () => {
  it('--list shows tasks with their typed params', async () => {
    const r = await ferry(['--list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^hello +— Print/m);
    expect(r.stdout).toContain('--times <number> = 1');
  });

  it('a task file with a syntax error is a project error naming the file (exit 2)', async () => {
    const dir = await project({
      'broken.ts': `import { defineTask } from '${REPO}src/index.js';\nexport default defineTask({ name: 'broken', description: 'x', run( {\n`,
    });
    const r = await ferry(['--project', dir, '--list']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/tasks\/broken\.ts(:\d+:\d+)?: cannot load/);
  });

  it('a task file that is not a task is refused naming the file', async () => {
    const dir = await project({ 'odd.ts': 'export default { hello: 1 };\n' });
    const r = await ferry(['--project', dir, 'odd', '--hosts', 'h1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/tasks\/odd\.ts: expected `export default defineTask/);
    // built-in commands that never use tasks do not load them (nor stumble on them)
    const d = await ferry(['--project', dir, '--dry-run', 'run', '--hosts', 'h1', '--', 'true']);
    expect(d.code).toBe(0);
    expect(d.stderr).not.toMatch(/odd\.ts/);
    // the others still work, with a warning naming the file
    const h = await ferry(['--project', dir, 'help']);
    expect(h.code).toBe(0);
    expect(h.stderr).toMatch(/warning: .*tasks\/odd\.ts/);
  });

  it('inventory errors exit 2 with file:line:column', async () => {
    const dir = await project({}, 'hosts:\n  h1:\n    adress: x\n');
    const r = await ferry(['--project', dir, 'run', '--hosts', 'h1', '--', 'true']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/inventory\.yaml:3:5: unknown key "adress" in hosts\.h1/);
  });

  it('ferry check reports a type error with file:line (exit 2)', async () => {
    const dir = await project({
      'typo.ts': `import { defineTask } from '${REPO}src/index.js';\nexport default defineTask({ name: 'typo', description: 'x', async run(ctx) { const n: number = ctx.host.name; return n; } });\n`,
    });
    await writeFile(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          noEmit: true,
          skipLibCheck: true,
          types: [],
        },
        include: ['tasks'],
      }),
    );
    const r = await ferry(['--project', dir, 'check']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/tasks\/typo\.ts:2:\d+: .*string.*number/);
  });

  it('an unknown host, role or stage exits 2 listing the valid ones', async () => {
    const dir = await project(
      {},
      'hosts:\n  h1: { address: 127.0.0.1, port: 1, roles: [app] }\n  lb1: { address: 127.0.0.1, port: 1, roles: [lb] }\n',
    );
    const h = await ferry(['--project', dir, 'run', '--hosts', 'h9', '--', 'true']);
    expect(h.code).toBe(2);
    expect(h.stderr).toMatch(/unknown host h9 \(not in .*inventory\.yaml\); hosts: h1, lb1\n/);
    const r = await ferry(['--project', dir, 'run', '--roles', 'db', '--', 'true']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown role db \(not in .*\); roles: app, lb\n/);
    await mkdir(join(dir, 'inventories'));
    await writeFile(join(dir, 'inventories', 'staging.yaml'), 'hosts:\n  s1: { address: 127.0.0.1, port: 1 }\n');
    await writeFile(join(dir, 'inventories', 'production.yaml'), 'hosts:\n  p1: { address: 127.0.0.1, port: 1 }\n');
    const st = await ferry(['--project', dir, '--stage', 'qa', 'run', '--hosts', 's1', '--', 'true']);
    expect(st.code).toBe(2);
    expect(st.stderr).toContain("unknown stage 'qa'; stages: production, staging");
  });

  it('an unknown option is reported as unknown, even when a required option or argument is missing', async () => {
    const d = await ferry(['deploy', 'demo', '--tga', 'v1']);
    expect(d.code).toBe(2);
    expect(d.stderr).toContain("unknown option '--tga'");
    expect(d.stderr).not.toMatch(/pass --tag/);
    // `bundle render` requires --host: commander would name that first
    const b = await ferry(['bundle', 'render', 'demo', '--tga', 'v1']);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain("unknown option '--tga'");
    expect(b.stderr).not.toContain('--host');
    // control: without the typo, the missing required option is still reported
    const m = await ferry(['bundle', 'render', 'demo', '--tag', 'v1']);
    expect(m.code).toBe(2);
    expect(m.stderr).toContain("required option '--host <host>' not specified");
  });

  it('NO_COLOR and --no-color leave out ANSI escapes (with colour forced, they are there)', async () => {
    const dir = await project({});
    const args = ['--project', dir, '--dry-run', 'run', '--hosts', 'h1', '--', 'true'];
    const ansi = new RegExp(`${String.fromCharCode(27)}\\[`); // ESC [: an SGR colour (or any CSI) sequence
    const forced = await ferry(args, { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
    expect(forced.code).toBe(0);
    expect(forced.stdout + forced.stderr).toMatch(ansi);
    const noColor = await ferry(args, { env: { NO_COLOR: '1', FORCE_COLOR: '1' } });
    expect(noColor.code).toBe(0);
    expect(noColor.stdout).toContain('[h1] $ true');
    expect(noColor.stdout + noColor.stderr).not.toMatch(ansi);
    const flag = await ferry(['--no-color', ...args], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
    expect(flag.code).toBe(0);
    expect(flag.stdout + flag.stderr).not.toMatch(ansi);
  });

  it('--json before a command word runs the command (stdout is the JSON); --json FILE.json writes the file', async () => {
    const dir = await project({});
    const r = await ferry(['--project', dir, '--json', '--dry-run', 'run', '--hosts', 'h1', '--', 'true'], {
      cwd: dir,
    });
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { dryRun: boolean }).dryRun).toBe(true);
    const w = await ferry(['--project', dir, '--dry-run', '--json', 'run', '--hosts', 'h1', '--', 'true'], {
      cwd: dir,
    });
    expect(w.code, w.stderr).toBe(0);
    expect(JSON.parse(w.stdout)).toMatchObject({ dryRun: true });
    expect(existsSync(join(dir, 'run'))).toBe(false);
    const f = await ferry(['--project', dir, '--json', 'out.json', '--dry-run', 'run', '--hosts', 'h1', '--', 'true'], {
      cwd: dir,
    });
    expect(f.code, f.stderr).toBe(0);
    expect(JSON.parse(await readFile(join(dir, 'out.json'), 'utf8'))).toMatchObject({ dryRun: true });
    expect(f.stdout).toContain('[h1] $ true');
  });

  it('usage errors exit 2', async () => {
    const r = await ferry(['run', '--parallel', '0', '--', 'true']);
    expect(r.code).toBe(2);
    const r2 = await ferry(['deploy', 'demo']);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/--tag/);
  });

  it('--keep-logs N (or keep_logs: in ferry.yaml) keeps the newest N run log folders', async () => {
    const dir = await project({});
    const logs = join(dir, '.ferry', 'logs');
    const made: string[] = []; // run folders, oldest first (names of one second do not sort by start)
    const dryRun = async (...flags: string[]) => {
      const r = await ferry(['--project', dir, ...flags, '--dry-run', 'run', '--hosts', 'h1', '--', 'true'], {
        cwd: dir,
      });
      const run = /logs in (\S+)/.exec(r.stdout)?.[1];
      if (run) made.push(run.slice(logs.length + 1));
      return r;
    };
    const kept = () => made.filter((run) => existsSync(join(logs, run)));
    // a folder written in the last 10 minutes may be a run still going, and is never removed: the
    // earlier runs are aged, one minute apart in the order they ran
    const age = () =>
      made.forEach((run, i) => {
        if (!existsSync(join(logs, run))) return;
        const t = new Date(Date.now() - 3_600_000 + i * 60_000);
        for (const f of readdirSync(join(logs, run))) utimesSync(join(logs, run, f), t, t);
        utimesSync(join(logs, run), t, t);
      });
    for (let i = 0; i < 3; i++) expect((await dryRun()).code).toBe(0);
    expect(kept()).toHaveLength(3); // control: the default (100) keeps them all
    age();
    const r = await dryRun('--keep-logs', '2');
    expect(r.code, r.stderr).toBe(0);
    // the two newest: the newest of the earlier three, and the one just made
    expect(kept()).toEqual(made.slice(2));
    await writeFile(join(dir, 'ferry.yaml'), 'keep_logs: 1\n');
    age();
    expect((await dryRun()).code).toBe(0);
    expect(kept()).toEqual(made.slice(-1));
    expect(readdirSync(logs)).toEqual(made.slice(-1));
    expect((await dryRun('--keep-logs', '0')).code).toBe(2);
  });
});
