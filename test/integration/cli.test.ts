import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
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

  it('usage errors exit 2', async () => {
    const r = await ferry(['run', '--parallel', '0', '--', 'true']);
    expect(r.code).toBe(2);
    const r2 = await ferry(['deploy', 'demo']);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/--tag/);
  });
});
