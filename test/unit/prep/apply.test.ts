import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prep } from '../../../src/index.js';
import { UsageError } from '../../../src/errors/index.js';
import { prepProbe, toOps } from '../../../src/ops/prep/plan.js';
import { applyPrep } from '../../../src/runner/apply-prep.js';
import type { Host } from '../../../src/inventory/types.js';
import { applyLocal, ids, noop, planLocal } from './helpers.js';
import { localSh } from '../../helpers/local-sh.js';

const host: Host = { name: 'web1', address: '10.0.0.5', roles: ['app'], attrs: { nofile: 65536, app: 'shop' } };

describe('apply: one probe, handlers once, conflicts', () => {
  it('batches every op into one probe command', () => {
    const ops = toOps([
      prep.file({ path: '/a', content: '' }),
      prep.directory({ path: '/b' }),
      prep.cron({ name: 'c', schedule: '@daily', command: ['x'] }),
    ]);
    expect(prepProbe(ops)).toHaveProperty('script');
  });

  it('a handler runs once however many changed ops name it, and not at all when nothing changed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-prep-h-'));
    const reload = prep.handler('reload-demo', 'reload demo', { argv: ['true'] });
    const ops = [
      prep.file({ path: join(dir, 'a.conf'), content: 'a\n', onChange: reload }),
      prep.file({ path: join(dir, 'b.conf'), content: 'b\n', onChange: [reload] }),
    ];
    expect(ids(await applyLocal(ops))).toEqual([
      `file ${join(dir, 'a.conf')}: write`,
      `file ${join(dir, 'b.conf')}: write`,
      'handler reload-demo',
    ]);
    expect((await planLocal(ops)).steps).toEqual([]);
    await writeFile(join(dir, 'b.conf'), 'drift\n');
    expect(ids(await planLocal(ops))).toEqual([`file ${join(dir, 'b.conf')}: write`, 'handler reload-demo']);
  });

  it('a plain Step in the list always runs; two ops on one path is a usage error', () => {
    expect(
      toOps([noop('x')])[0]
        ?.plan(null)
        .steps.map((s) => s.id),
    ).toEqual(['x']);
    expect(() => toOps([prep.file({ path: '/a', content: '' }), prep.line({ path: '/a', line: 'x' })])).toThrow(
      UsageError,
    );
    expect(() => toOps([prep.file({ path: '/a', content: '' }), prep.file({ path: '/a', content: 'y' })])).toThrow(
      /file \/a and file \/a both manage \/a/,
    );
  });

  it('applyPrep renders templates with host attrs, refuses before running anything, logs diffs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-prep-t-'));
    await writeFile(
      join(dir, 'limits.liquid'),
      '{{ attrs.app }} - nofile {{ attrs.nofile }}\n# {{ host.name }} of {{ hosts.size }}\n',
    );
    const logs: string[] = [];
    const ran: string[] = [];
    const runner = {
      dryRun: false,
      host: 'web1',
      log: (t: string) => logs.push(t),
      probe: async (c: Parameters<typeof localSh>[0]) => (await localSh(c)).stdout,
      run: async (
        steps: readonly { id: string; command: Parameters<typeof localSh>[0]; stdin?: string | Uint8Array }[],
      ) => {
        for (const s of steps) {
          ran.push(s.id);
          await localSh(s.command, s.stdin ?? '');
        }
        return [];
      },
    };
    const env = { projectDir: dir, host, hosts: [host] };
    const out = join(dir, 'limits.conf');
    await applyPrep([prep.template({ path: out, template: 'limits.liquid' })], env, runner);
    expect(ran).toEqual([`template ${out}: write`]);
    expect(logs.join('\n')).toContain('+shop - nofile 65536\n+# web1 of 1');
    ran.length = 0;
    const bad = [prep.directory({ path: join(dir, 'new') }), prep.directory({ path: out })];
    await expect(applyPrep(bad, env, runner)).rejects.toThrow(
      `[web1] refused:\n  directory ${out}: ${out}: is a regular file, not a directory: directory ${out} will not replace it`,
    );
    expect(ran).toEqual([]);
    await writeFile(join(dir, 'bad.liquid'), '{{ attrs.nope }}');
    await expect(applyPrep([prep.template({ path: '/x', template: 'bad.liquid' })], env, runner)).rejects.toThrow(
      /bad\.liquid: prep\.template \/x: undefined variable: attrs\.nope/,
    );
  });
});
