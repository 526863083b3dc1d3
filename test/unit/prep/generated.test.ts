import { describe, expect, it } from 'vitest';
import { prep } from '../../../src/index.js';
import { cronFile } from '../../../src/ops/prep/cron.js';
import { limitsFile } from '../../../src/ops/prep/limits.js';
import { planSysctl, sysctlFile } from '../../../src/ops/prep/sysctl.js';
import type { FileFacts } from '../../../src/ops/prep/file-facts.js';
import { planLocal } from './helpers.js';

const absent: FileFacts = { stat: undefined, content: undefined, sha256: undefined };

describe('prep.cron', () => {
  it('one managed line per name in /etc/cron.d/<name>; argv quoted, % escaped', () => {
    const text = cronFile({
      name: 'shop-cleanup',
      schedule: '17 3 * * *',
      user: 'shop',
      command: ['/srv/shop/current/env/bin/cleanup', '--older', "30 days's", 'date +%F'],
    });
    expect(text).toBe(
      "# managed by ferry: shop-cleanup\n17 3 * * * shop /srv/shop/current/env/bin/cleanup --older '30 days'\\''s' 'date +\\%F'\n",
    );
    expect(prep.cron({ name: 'n', schedule: '@daily', command: 'true' }).subject).toBe('/etc/cron.d/n');
  });
  it('bad input names the problem', () => {
    expect(() => prep.cron({ name: 'a.b', schedule: '@daily', command: ['x'] })).toThrow(/prep\.cron: name "a\.b"/);
    expect(() => prep.cron({ name: 'a', schedule: '* * *', command: ['x'] })).toThrow(
      /schedule "\* \* \*": five fields/,
    );
    expect(() => prep.cron({ name: 'a', schedule: '@daily', command: ['x'], user: 'Root!' })).toThrow(/user "Root!"/);
    expect(() => prep.cron({ name: 'a', schedule: '@daily', command: '' })).toThrow(/command must be one non-empty/);
  });
});

describe('prep.limits', () => {
  it('writes pam_limits rows', () => {
    expect(limitsFile({ name: 'shop', entries: [{ domain: 'shop', type: '-', item: 'nofile', value: 65536 }] })).toBe(
      '# managed by ferry: shop\nshop - nofile 65536\n',
    );
    expect(() => prep.limits({ name: 'x', entries: [{ domain: 'a b', type: '-', item: 'nofile', value: 1 }] })).toThrow(
      /domain "a b"/,
    );
  });
});

describe('prep.sysctl: persisted and applied', () => {
  const o = { name: '60-shop', settings: { 'vm.swappiness': 10, 'net.ipv4.ip_local_port_range': '10000 65000' } };
  it('writes the file and sysctl -w only the keys whose running value differs', () => {
    const live = new Map([
      ['vm.swappiness', '60'],
      ['net.ipv4.ip_local_port_range', '10000\t65000'],
    ]);
    const plan = planSysctl(o, { file: absent, live });
    expect(plan.steps.map((s) => s.title)).toEqual([
      'create /etc/sysctl.d/60-shop.conf (90 bytes, mode 644)',
      'sysctl vm.swappiness = 10 (was 60)',
    ]);
    expect(plan.unchanged).toEqual(['net.ipv4.ip_local_port_range = 10000 65000 (running)']);
    expect(sysctlFile(o)).toBe(
      '# managed by ferry: 60-shop\nvm.swappiness = 10\nnet.ipv4.ip_local_port_range = 10000 65000\n',
    );
  });
  it('reads the running kernel with a real local sh; an unknown key is refused', async () => {
    const { readFileSync } = await import('node:fs');
    const now = readFileSync('/proc/sys/vm/swappiness', 'utf8').trim();
    const plan = await planLocal([prep.sysctl({ name: 'x', settings: { 'vm.swappiness': now, 'vm.ferry_nope': 1 } })]);
    expect(plan.unchanged).toContain(`vm.swappiness = ${now} (running)`);
    expect(plan.refusals).toEqual([
      { subject: 'vm.ferry_nope', reason: 'no such sysctl key on this host', forceable: false },
    ]);
  });
  it('bad input', () => {
    expect(() => prep.sysctl({ name: 'x', settings: {} })).toThrow(/at least one key/);
    expect(() => prep.sysctl({ name: 'x', settings: { 'vm swappiness': 1 } })).toThrow(/is not a sysctl key/);
    expect(() => prep.sysctl({ name: 'x', settings: { 'vm.swappiness': '1\nkernel.x=1' } })).toThrow(/one plain value/);
  });
});
