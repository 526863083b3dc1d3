import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertOk, measure, type Measured } from '../lib/measure.js';
import { rowsFor, type Row } from '../lib/report.js';
import { median } from '../lib/stats.js';
import { withFleet } from '../lib/with-fleet.js';
import type { SectionContext } from './context.js';
import { ANSIBLE_RUNS, ansibleMissing, HOSTS, type JsonReport, PAIRED, TASK, type Tool, tools } from './prep-peers.js';

async function run(t: Tool, cwd: string): Promise<Measured> {
  const m = assertOk(t.name, await measure(t.cmd, t.args, { cwd, env: t.env, timeoutMs: 1_200_000 }));
  await t.check(m);
  return m;
}

/** A no-op run of an 11-op prep task on 50 hosts vs `ferry run -- true` and the same play in Ansible. */
export async function prepSection(ctx: SectionContext): Promise<Row[]> {
  const { rows, add } = rowsFor('prep', ctx.rows);
  const work = await mkdtemp(join(tmpdir(), 'ferry-bench-prep-'));
  try {
    await mkdir(join(work, 'tasks'));
    await mkdir(join(work, 'templates'));
    await writeFile(join(work, 'tasks', 'prep-bench.ts'), TASK);
    await writeFile(
      join(work, 'templates', 'shop.liquid'),
      '# {{ host.name }}\nserver { listen {{ host.address }}:8080; }\n',
    );
    await withFleet(
      { hosts: HOSTS, extraViews: ['/etc/cron.d', '/etc/sysctl.d', '/etc/security/limits.d', '/home'] },
      async (fleet) => {
        const t = await tools(fleet, work);
        // FERRY_BENCH_PREP_ANSIBLE=0: ferry's rows only (the play takes minutes on 50 hosts)
        const why = process.env.FERRY_BENCH_PREP_ANSIBLE === '0' ? 'FERRY_BENCH_PREP_ANSIBLE=0' : ansibleMissing(ctx);
        const withAnsible = why === undefined;
        if (why) ctx.note(`Ansible skipped: ${why}`);
        // first runs make the changes; the measured ones are no-ops (checked: 0 changes everywhere)
        const first = await run(t.ferry, work);
        ctx.log(`  first ferry prep-bench (changes): wall ${first.wallS.toFixed(2)} s`);
        if (withAnsible) {
          const a = await run(t.ansible, work);
          ctx.log(`  first ansible-playbook (changes): wall ${a.wallS.toFixed(2)} s`);
        }
        const noop = await run(t.ferry, work);
        const report = JSON.parse(await readFile(join(work, 'prep.json'), 'utf8')) as JsonReport;
        const changed = report.hosts.reduce((n, h) => n + (h.result?.changed ?? 0), 0);
        const trips = Math.max(...report.hosts.map((h) => h.steps.length));
        if (changed !== 0) throw new Error(`the second ferry prep-bench changed ${changed} steps: not a no-op`);
        ctx.log(`  no-op check: 0 changes, ${trips} round trip(s) per host, wall ${noop.wallS.toFixed(2)} s`);
        // paired rounds, the order alternating, so load drift hits both alike; the ratio is the pairs' median
        const pairs: Array<{ b: Measured; f: Measured }> = [];
        for (let i = 0; i < PAIRED; i++) {
          const first = i % 2 === 0 ? t.baseline : t.ferry;
          const m1 = await run(first, work);
          const m2 = await run(first === t.baseline ? t.ferry : t.baseline, work);
          const pair = first === t.baseline ? { b: m1, f: m2 } : { b: m2, f: m1 };
          pairs.push(pair);
          ctx.log(
            `  round ${i + 1}: run -- true ${pair.b.wallS.toFixed(2)} s (cpu ${pair.b.cpuS.toFixed(2)}), ` +
              `prep-bench ${pair.f.wallS.toFixed(2)} s (cpu ${pair.f.cpuS.toFixed(2)})`,
          );
        }
        const ansible: Measured[] = [];
        for (let i = 0; withAnsible && i < ANSIBLE_RUNS; i++) {
          const m = await run(t.ansible, work);
          const noops = (m.stdout.match(/ changed=0 /g) ?? []).length;
          if (noops !== HOSTS) throw new Error(`the Ansible play changed something on ${HOSTS - noops} host(s)`);
          ansible.push(m);
          ctx.log(`  Ansible no-op ${i + 1}: wall ${m.wallS.toFixed(2)} s  cpu ${m.cpuS.toFixed(2)} s`);
        }
        const med = (xs: readonly Measured[], k: 'wallS' | 'cpuS') => median(xs.map((m) => m[k]));
        const f = {
          wall: med(
            pairs.map((p) => p.f),
            'wallS',
          ),
          cpu: med(
            pairs.map((p) => p.f),
            'cpuS',
          ),
        };
        const wallRatio = median(pairs.map((p) => p.f.wallS / p.b.wallS));
        const what = `no-op prep, 11 ops, ${HOSTS} hosts`;
        add({
          what: `${what}: wall (ratio: median of ${PAIRED} paired runs)`,
          unit: 's',
          ferry: f.wall,
          peer: med(
            pairs.map((p) => p.b),
            'wallS',
          ),
          peerName: 'ferry run -- true',
          ratio: wallRatio,
          target: '≤ 1.5×',
          pass: wallRatio <= 1.5,
        });
        add({
          what: `${what}: client CPU`,
          unit: 's',
          ferry: f.cpu,
          peer: med(
            pairs.map((p) => p.b),
            'cpuS',
          ),
          peerName: 'ferry run -- true',
          ratio: median(pairs.map((p) => p.f.cpuS / p.b.cpuS)),
        });
        if (ansible.length > 0) {
          const aw = med(ansible, 'wallS');
          add({
            what: `${what}: wall`,
            unit: 's',
            ferry: f.wall,
            peer: aw,
            peerName: 'Ansible',
            target: '< 1×',
            pass: f.wall < aw,
          });
          add({
            what: `${what}: client CPU`,
            unit: 's',
            ferry: f.cpu,
            peer: med(ansible, 'cpuS'),
            peerName: 'Ansible',
          });
        }
        add({
          what: `${what}: round trips per host`,
          unit: '',
          ferry: trips,
          peer: null,
          peerName: '',
          target: '≤ 2',
          pass: trips <= 2,
        });
      },
    );
    return rows;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
