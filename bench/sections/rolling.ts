import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Fleet, FleetHost } from '../../test/fleet/fleet.js';
import { DEMO_ATTRS, makeDemoProject } from '../../test/helpers/demo-project.js';
import { assertOk, measure } from '../lib/measure.js';
import { FERRY_BIN } from '../lib/paths.js';
import { rowsFor, type Row } from '../lib/report.js';
import { median } from '../lib/stats.js';
import { stepBreakdown } from '../lib/step-breakdown.js';
import { withFleet } from '../lib/with-fleet.js';
import type { SectionContext } from './context.js';

const APPS = ['web1', 'web2', 'web3', 'web4'];
const SUPERVISORCTL = 'supervisorctl -c /etc/supervisor/supervisord.conf';
/** rounds at least: a restart's own time varies ±5% from one to the next */
const MIN_ROUNDS = 5;

/**
 * The program's own restart + health time on one host, timed on the host itself (no SSH set-up
 * counted): `supervisorctl restart` then poll /check.html every 50 ms until 200.
 */
async function directRestart(fleet: Fleet, h: FleetHost): Promise<number> {
  const url = `http://${h.address}:${DEMO_ATTRS.app_port}/check.html`;
  const script =
    `t0=$(date +%s%N); ${SUPERVISORCTL} restart demo >/dev/null || exit 9; ` +
    `n=0; until curl -fsS -o /dev/null ${url}; do n=$((n+1)); [ $n -gt 600 ] && exit 8; sleep 0.05; done; ` +
    `t1=$(date +%s%N); echo $(( (t1 - t0) / 1000000 ))`;
  const r = await fleet.exec(h, script);
  if (r.code !== 0) throw new Error(`direct restart on ${h.name} exited ${r.code}: ${r.stderr}`);
  return Number(r.stdout.trim()) / 1000;
}

/** `ferry restart demo --batch 1` over 4 app hosts behind HAProxy vs the sum of the bare restart + health times. */
export async function rolling(ctx: SectionContext): Promise<Row[]> {
  const { rows, add } = rowsFor('rolling', ctx.rows);
  let projectDir: string | undefined;
  try {
    await withFleet(
      {
        hosts: [{ name: 'lb1', roles: ['lb'] }, ...APPS.map((name) => ({ name, roles: ['app'] }))],
        extraInventory: { defaults: DEMO_ATTRS },
      },
      async (fleet) => {
        const proj = await makeDemoProject(readFileSync(fleet.inventoryFile, 'utf8'));
        projectDir = proj.dir;
        proj.tag('v1.0.0');
        const base = [
          FERRY_BIN,
          '--project',
          proj.dir,
          '--inventory',
          join(proj.dir, 'inventory.yaml'),
          '--known-hosts',
          fleet.knownHosts,
          '-i',
          fleet.clientKey,
        ];
        const d = assertOk(
          'ferry deploy demo',
          await measure(process.execPath, [...base, 'deploy', 'demo', '--tag', 'v1.0.0', '--batch', '2'], {
            timeoutMs: 400_000,
          }),
        );
        ctx.log(`deploy demo v1.0.0 (build + stage + rolling activate): ${d.wallS.toFixed(1)} s`);
        const apps = APPS.map((n) => fleet.host(n));
        const ferry: number[] = [];
        const gated: number[] = [];
        const direct: number[] = [];
        const gate = ['--max-error-rate', '1%', '--watch', '0'];
        for (let i = 0; i < Math.max(ctx.runs, MIN_ROUNDS); i++) {
          const json = join(proj.dir, `.restart-${i}.json`);
          const r = assertOk(
            'ferry restart demo',
            await measure(process.execPath, [...base, '--json', json, 'restart', 'demo', '--batch', '1'], {
              timeoutMs: 300_000,
            }),
          );
          ferry.push(r.wallS);
          ctx.log(`  ferry's steps, summed over hosts: ${await stepBreakdown(json)}`);
          // the error-rate gate on, --watch 0: must cost nothing (no extra round trip)
          const g = assertOk(
            'ferry restart demo (gate on, --watch 0)',
            await measure(process.execPath, [...base, 'restart', 'demo', '--batch', '1', ...gate], {
              timeoutMs: 300_000,
            }),
          );
          gated.push(g.wallS);
          const each: number[] = [];
          for (const h of apps) each.push(await directRestart(fleet, h));
          const sum = each.reduce((a, b) => a + b, 0);
          direct.push(sum);
          ctx.log(
            `  round ${i + 1}: ferry restart ${r.wallS.toFixed(2)} s, gate on --watch 0 ${g.wallS.toFixed(2)} s; ` +
              `direct ${each.map((x) => x.toFixed(2)).join(' + ')} = ${sum.toFixed(2)} s`,
          );
        }
        // each round's ferry runs against that round's direct restarts: the median of the ratios
        const ratio = (xs: number[]) => median(xs.map((x, i) => x / (direct[i] ?? Number.NaN)));
        const p = median(direct);
        const rounds = `median of ${direct.length} rounds`;
        for (const [label, runs] of [
          ['', ferry],
          [', --max-error-rate 1% --watch 0', gated],
        ] as const) {
          const r = ratio(runs);
          add({
            what: `rolling restart, ${APPS.length} hosts, batch 1, behind HAProxy${label}: wall (ratio: ${rounds})`,
            unit: 's',
            ferry: median(runs),
            peer: p,
            peerName: 'Σ restart+health',
            ratio: r,
            target: 'overhead ≤ 10% (≤ 1.10×)',
            pass: r <= 1.1,
          });
        }
      },
    );
    return rows;
  } finally {
    if (projectDir) await rm(projectDir, { recursive: true, force: true });
  }
}
