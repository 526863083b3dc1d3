import { describe, expect, it } from 'vitest';
import { endNote, startNote } from '../../../src/notify/event.js';
import { carbonLines, graphiteEvent, metricNode, metrics } from '../../../src/notify/graphite.js';
import { slackText, webhookPayload } from '../../../src/notify/webhook.js';
import { SECRET, deployEnd, deployStart } from './fixture.js';

const AT = 1_767_225_600_000; // 2026-01-01T00:00:00Z

describe('graphite metric paths', () => {
  it('sanitises a node: dots, spaces and glob characters become _', () => {
    expect(metricNode('web1.dc1')).toBe('web1_dc1');
    expect(metricNode('a b*{c}[d](e)/f')).toBe('a_b__c__d__e__f');
    expect(metricNode('ok_name-1')).toBe('ok_name-1');
    expect(metricNode('')).toBe('_');
  });

  it('start: one started count at the start second', () => {
    const lines = carbonLines(metrics('ferry.prod', startNote(deployStart(), AT)));
    expect(lines).toBe('ferry.prod.demo.deploy.started 1 1767225600\n');
  });

  it('end: failed count, duration, hosts by outcome, per host result and duration (host dots sanitised)', () => {
    const n = endNote(deployStart(), deployEnd(), AT + 5000, 9999);
    expect(carbonLines(metrics('ferry', n)).split('\n')).toEqual([
      'ferry.demo.deploy.failed 1 1767225605',
      'ferry.demo.deploy.duration_ms 5000 1767225605',
      'ferry.demo.deploy.hosts.ok 1 1767225605',
      'ferry.demo.deploy.hosts.failed 1 1767225605',
      'ferry.demo.deploy.hosts.untouched 0 1767225605',
      'ferry.demo.deploy.host.web1_dc1.result 1 1767225605',
      'ferry.demo.deploy.host.web1_dc1.duration_ms 1234 1767225605',
      'ferry.demo.deploy.host.web2.result 0 1767225605',
      'ferry.demo.deploy.host.web2.duration_ms 1234 1767225605',
      '',
    ]);
    const ok = metrics('ferry', endNote(deployStart(), deployEnd(true), AT, 1));
    expect(ok[0]).toEqual({ path: 'ferry.demo.deploy.finished', value: 1, time: 1767225600 });
  });

  it('a run that threw (no report): failure, every host failed', () => {
    const n = endNote(deployStart(), { report: undefined, plans: new Map() }, AT, 812.6);
    expect(n.event).toBe('failure');
    expect(n.durationMs).toBe(813);
    expect(n.hosts.map((h) => [h.name, h.result, h.error])).toEqual([
      ['web1.dc1', 'failed', 'aborted'],
      ['web2', 'failed', 'aborted'],
    ]);
  });

  it('graphite-web event: what, space-free tags (tag, stage), when in seconds, id in data', () => {
    const e = graphiteEvent(endNote(deployStart(), deployEnd(true), AT, 1));
    expect(e).toEqual({
      what: 'ferry deploy demo v1.2.0 finished',
      tags: ['ferry', 'deploy', 'demo', 'finished', 'v1.2.0', 'prod'],
      when: 1767225600,
      data: 'id demo-v1.2.0-abc1234-0123abcd, run 20260101T000000-abcdef, stage prod, by alice@ctl, 2/2 host(s) ok in 5.0 s',
    });
  });
});

describe('webhook payload', () => {
  it('start: bundle, tag, id, action, hosts, who, stage and a Slack text', () => {
    const p = webhookPayload(startNote(deployStart(), AT));
    expect(p).toMatchObject({
      event: 'start',
      action: 'deploy',
      bundle: 'demo',
      tag: 'v1.2.0',
      id: 'demo-v1.2.0-abc1234-0123abcd',
      who: 'alice@ctl',
      stage: 'prod',
      result: null,
      at: '2026-01-01T00:00:00.000Z',
    });
    expect(p.hosts.map((h) => h.name)).toEqual(['web1.dc1', 'web2']);
    expect(p.text).toBe(
      'ferry deploy demo v1.2.0 (demo-v1.2.0-abc1234-0123abcd) on stage prod started by alice@ctl on 2 host(s)',
    );
  });

  it('failure: per host result, error kind (never its message), from/to, duration; the text names the failed host', () => {
    const p = webhookPayload(endNote(deployStart(), deployEnd(), AT, 1));
    expect(p.event).toBe('failure');
    expect(p.result).toBe('failed');
    expect(p.durationMs).toBe(5000);
    expect(p.hosts[1]).toEqual({
      name: 'web2',
      result: 'failed',
      error: 'failed',
      from: 'demo-v1.1.0-x',
      to: 'demo-v1.2.0-abc1234-0123abcd',
      durationMs: 1234,
    });
    expect(slackText(endNote(deployStart(), deployEnd(), AT, 1))).toMatch(
      /^ferry deploy demo v1\.2\.0 \(.*\) on stage prod failed: 1\/2 host\(s\) ok in 5\.0 s \(by alice@ctl, run .*\); not ok: web2 \(failed\)$/,
    );
  });

  it('a secret the run carries (attrs, --set on the command line, env, output, error text) reaches no sink', () => {
    const s = deployStart();
    const e = deployEnd();
    // control: the secret is in what the notes are built from
    expect(JSON.stringify([s.hosts, s.ctx.owner, s.ctx.definition, e.report])).toContain(SECRET);
    for (const n of [startNote(s, AT), endNote(s, e, AT, 1), endNote(s, deployEnd(true), AT, 1)]) {
      const sent = [
        JSON.stringify(webhookPayload(n)),
        carbonLines(metrics('ferry', n)),
        JSON.stringify(graphiteEvent(n)),
      ];
      for (const text of sent) expect(text).not.toContain(SECRET);
    }
  });
});
