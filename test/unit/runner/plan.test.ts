import { describe, expect, it } from 'vitest';
import { humanBytes, phaseOrder, planLine, planSummary, renderPlan } from '../../../src/runner/plan.js';
import { formatLive, liveRelease, type HostReport, type RunReport } from '../../../src/runner/report.js';
import type { StepOutcome } from '../../../src/task/types.js';

const A = 'demo-v1.0.0-78a9f7e-d9ecc282';
const B = 'demo-v1.1.0-664c917-e4ce70b0';

function step(id: string, title: string, o: Partial<StepOutcome> = {}): StepOutcome {
  return {
    id,
    title,
    command: o.command ?? `do ${id}`,
    status: o.status ?? 'planned',
    exitCode: null,
    durationMs: 0,
    stdout: '',
    stderr: '',
    ...o,
  };
}

function host(name: string, steps: StepOutcome[], o: Partial<HostReport> = {}): HostReport {
  return { host: name, status: 'ok', durationMs: 1, channels: 1, steps, changes: 0, ...o };
}

function report(hosts: HostReport[], dryRun = true): RunReport {
  return { runId: 'r', command: 'ferry', dryRun, startedAt: '', durationMs: 5, hosts };
}

/** A 2-host deploy dry run as stage-host and activate record it: web2 has the artifact cached. */
function deployPlan(): RunReport {
  const stage = `stage ${B}`;
  const probe = step('probe', 'probe', {
    status: 'ok',
    command: 'if [ -d /srv/demo/.ferry/lock ]; then …',
    phase: stage,
  });
  const activate = (h: string) => [
    step('activate', `switch ${A} → ${B}, then reload nginx, restart demo (supervisor)`, {
      command: 'ln -sfn releases/x current.tmp && mv -Tf current.tmp current',
      phase: 'activate',
    }),
    step('health', `health gate: GET http://${h}:8000/check.html answers 2xx`, {
      command: '# health gate',
      phase: 'activate',
    }),
  ];
  return report([
    host(
      'web1',
      [
        probe,
        step('upload', 'upload 1.5 MB', { bytes: 1_572_864, phase: stage, command: 'cat > cache/x.part' }),
        step('stage', `stage releases/${B}: extract, validate 2 config(s)`, { phase: stage }),
        ...activate('web1'),
      ],
      { result: { from: A, to: B, uploadedBytes: 0, staged: true, activated: true } },
    ),
    host(
      'web2',
      [
        probe,
        step('upload', 'no upload: the artifact is cached on the host', { phase: stage, command: '# no upload' }),
        step('stage', `stage releases/${B}: extract, validate 2 config(s)`, { phase: stage }),
        ...activate('web2'),
      ],
      { result: { from: A, to: B, uploadedBytes: 0, staged: true, activated: true } },
    ),
  ]);
}

describe('the --dry-run plan', () => {
  it('shows per phase and host what uploads (or is cached), stages and switches, then a summary', () => {
    const r = deployPlan();
    expect(renderPlan(r)).toEqual([
      `== plan: stage ${B} ==`,
      '[web1] upload 1.5 MB',
      `[web1] stage releases/${B}: extract, validate 2 config(s)`,
      '[web2] no upload: the artifact is cached on the host',
      `[web2] stage releases/${B}: extract, validate 2 config(s)`,
      '== plan: activate ==',
      `[web1] switch ${A} → ${B}, then reload nginx, restart demo (supervisor)`,
      '[web1] health gate: GET http://web1:8000/check.html answers 2xx',
      `[web2] switch ${A} → ${B}, then reload nginx, restart demo (supervisor)`,
      '[web2] health gate: GET http://web2:8000/check.html answers 2xx',
    ]);
    expect(planSummary(r)).toBe(`plan: 2 host(s), 8 step(s); upload 1.5 MB to 1 host(s); 2 switch(es): ${A} → ${B}`);
    expect(renderPlan(r).join('\n')).not.toMatch(/\bdone\b|\$ /);
  });

  it('-v adds each step command under its line, and the probes that ran; notes have no command', () => {
    const lines = renderPlan(deployPlan(), true);
    expect(lines.slice(0, 5)).toEqual([
      `== plan: stage ${B} ==`,
      '[web1] (probe) $ if [ -d /srv/demo/.ferry/lock ]; then …',
      '[web1] upload 1.5 MB',
      '[web1]     $ cat > cache/x.part',
      `[web1] stage releases/${B}: extract, validate 2 config(s)`,
    ]);
    expect(lines).toContain('[web1]     $ ln -sfn releases/x current.tmp && mv -Tf current.tmp current');
    expect(lines.filter((l) => l.includes('# '))).toEqual([]);
  });

  it('a step titled only `run` shows its command (cut to one line); hosts with nothing planned say so', () => {
    expect(planLine(step('run', 'run', { command: 'systemctl restart nginx' }))).toBe('$ systemctl restart nginx');
    expect(planLine(step('run', 'run', { command: 'a\nb' }))).toBe('$ a …');
    const r = report([host('h1', [step('run', 'run', { command: 'uptime' })]), host('h2', [])]);
    expect(renderPlan(r)).toEqual(['== plan ==', '[h1] $ uptime', '[h2] nothing to do']);
    expect(renderPlan(r, true)).toEqual(['== plan ==', '[h1] $ uptime', '[h2] nothing to do']);
    expect(planSummary(r)).toBe('plan: 2 host(s), 1 step(s)');
  });

  it('a deploy whose hosts all have the artifact says there is nothing to upload', () => {
    const r = report([
      host('h1', [step('staged', `release ${B} already there: no upload`)], { result: { staged: false } }),
    ]);
    expect(planSummary(r)).toBe('plan: 1 host(s), 1 step(s); nothing to upload');
  });

  it('phases keep run order across hosts: LBs first, then batch 1, batch 2', () => {
    const at = (phase: string) => step('x', 'x', { phase });
    const order = phaseOrder([
      host('lb1', [at('stage'), at('activate')]),
      host('web1', [at('stage'), at('batch 1/2: web1')]),
      host('web2', [at('stage'), at('batch 2/2: web2')]),
    ]);
    expect(order).toEqual(['stage', 'activate', 'batch 1/2: web1', 'batch 2/2: web2']);
  });

  it("a run's own phase order wins: the LB's activate before the app batches, whatever the host order", () => {
    const at = (phase: string, title: string) => step('x', title, { phase });
    const hosts = [
      host('web1', [at('stage', 'stage web1'), at('batch 1/1: web1', 'switch web1')]),
      host('lb1', [at('stage', 'stage lb1'), at('activate', 'switch lb1')]),
    ];
    expect(phaseOrder(hosts)).toEqual(['stage', 'batch 1/1: web1', 'activate']); // no order between them
    const r = { ...report(hosts), phases: ['stage', 'activate', 'batch 1/1: web1'] };
    expect(renderPlan(r).filter((l) => l.startsWith('=='))).toEqual([
      '== plan: stage ==',
      '== plan: activate ==',
      '== plan: batch 1/1: web1 ==',
    ]);
  });

  it('switches from different releases are grouped with counts', () => {
    const r = deployPlan();
    const first = r.hosts[1] as HostReport;
    const hosts = [r.hosts[0] as HostReport, { ...first, result: { to: B, staged: true } }];
    expect(planSummary({ ...r, hosts })).toMatch(
      new RegExp(`2 switch\\(es\\): ${A} → ${B} on 1, \\(no release yet\\) → ${B} on 1$`),
    );
  });

  it('sizes read as B, KB, MB, GB', () => {
    expect([512, 7 * 1024, 1_572_864, 3 * 1024 ** 3].map(humanBytes)).toEqual(['512 B', '7 KB', '1.5 MB', '3.0 GB']);
  });
});

describe('the live release in the summary', () => {
  const ok = (name: string, steps: StepOutcome[], status: HostReport['status'] = 'ok') =>
    host(name, steps, { status, result: { from: A, to: B } });
  const switched = step('activate', 'switch', { status: 'changed' });

  it('names the one release when every host runs it', () => {
    const already = host('web3', [], { result: { from: B, to: B } });
    const r = report([ok('web1', [switched]), ok('web2', [switched]), already], false);
    expect(formatLive(r)).toBe(`live: ${B} on all 3 hosts`);
    expect(formatLive(report([ok('web1', [switched])], false))).toBe(`live: ${B} on web1`);
  });

  it('says mixed, with counts and names, when hosts differ', () => {
    const reverted = [switched, step('revert', 'switch back', { status: 'changed' })];
    const r = report(
      [
        ok('web1', [switched]),
        ok('web2', reverted, 'failed'),
        ok('web3', [switched]),
        ok('web4', [], 'untouched'),
        ok('web5', [step('activate', 'switch', { status: 'failed' })], 'failed'),
      ],
      false,
    );
    expect(r.hosts.map((h) => liveRelease(h))).toEqual([B, A, B, A, 'unknown']);
    expect(formatLive(r)).toBe(`live: mixed — ${B} on 2 (web1, web3), ${A} on 2 (web2, web4), unknown on 1 (web5)`);
  });

  it('a host that staged but was not switched (another host failed) is still on the release it had', () => {
    const r = report([ok('web1', []), host('web2', [], { status: 'failed', result: { from: A, to: B } })], false);
    expect(formatLive(r)).toBe(`live: ${A} on all 2 hosts`);
  });

  it('a dry run names what is live now; a report without releases (a task) has no live line', () => {
    expect(formatLive(report([ok('web1', [step('activate', 'switch')])]))).toBe(`live now: ${A} on web1`);
    expect(formatLive(report([host('h1', [], { result: 'hello' })], false))).toBeUndefined();
    const first = host('h1', [], { result: { from: null, to: B }, status: 'failed' });
    expect(formatLive(report([first], false))).toBe('live: none on h1');
  });
});
