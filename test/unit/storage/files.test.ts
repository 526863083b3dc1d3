import { describe, expect, it } from 'vitest';
import { planMdadmConf, planFstab, formatFstabLine, withNofail, parseSize } from '../../../src/ops/storage/index.js';
import { parseFstab } from '../../../src/facts/storage/index.js';
import { UsageError } from '../../../src/errors/index.js';
import { fx } from './helpers.js';

const U = '0123abcd:4567ef01:89abcdef:01234567';
const LINE = `ARRAY /dev/md0 metadata=1.2 UUID=${U}`;

describe('planMdadmConf', () => {
  const template = fx('fresh/mdadm.conf');
  it('appends one ARRAY line to the Debian template', () => {
    expect(planMdadmConf(template, '/dev/md0', U)).toEqual({ kind: 'write', content: `${template}${LINE}\n` });
  });
  it('one line for the array (mkconf style, with name=) is left alone', () => {
    expect(planMdadmConf(`${template}ARRAY /dev/md/0 metadata=1.2 UUID=${U} name=ferryvm:0\n`, '/dev/md0', U)).toEqual({
      kind: 'unchanged',
    });
  });
  it('duplicates (appended twice, one with a continuation line) become one, where the first was', () => {
    const text =
      `DEVICE partitions\nARRAY /dev/md0 UUID=${U}\n   devices=/dev/vdb,/dev/vdc\n` +
      `MAILADDR root\nARRAY /dev/md0 UUID=${U}\n`;
    expect(planMdadmConf(text, '/dev/md0', U)).toEqual({
      kind: 'write',
      content: `DEVICE partitions\n${LINE}\nMAILADDR root\n`,
    });
  });
  it('another array already named /dev/md0 is a conflict', () => {
    const r = planMdadmConf('ARRAY /dev/md0 UUID=ffffffff:ffffffff:ffffffff:ffffffff\n', '/dev/md0', U);
    expect(r).toEqual({
      kind: 'conflict',
      reason: 'already names /dev/md0 for another array (UUID=ffffffff:ffffffff:ffffffff:ffffffff) on line 1',
    });
  });
  it('a file without a trailing newline', () => {
    expect(planMdadmConf('MAILADDR root', '/dev/md0', U)).toEqual({
      kind: 'write',
      content: `MAILADDR root\n${LINE}\n`,
    });
  });
});

describe('planFstab', () => {
  const line = { spec: 'UUID=abc', file: '/data', vfstype: 'xfs', options: ['noatime', 'nofail'], freq: 0, passno: 0 };
  const isOurs = (e: { spec: string }): boolean => e.spec === 'UUID=abc' || e.spec === '/dev/vg/lv';
  it('appends to a file without a trailing newline', () => {
    expect(planFstab('/dev/vda / ext4 defaults 0 1', { line, isOurs, force: false })).toMatchObject({
      kind: 'write',
      content: '/dev/vda / ext4 defaults 0 1\nUUID=abc /data xfs noatime,nofail 0 0\n',
    });
  });
  it('an identical line: unchanged (trailing slash on the mount point does not matter)', () => {
    expect(planFstab('UUID=abc /data/ xfs noatime,nofail 0 0\n', { line, isOurs, force: false })).toEqual({
      kind: 'unchanged',
    });
  });
  it('escapes a space in the mount point and reads it back', () => {
    const spaced = { ...line, file: '/my data' };
    const text = `${formatFstabLine(spaced)}\n`;
    expect(text).toBe('UUID=abc /my\\040data xfs noatime,nofail 0 0\n');
    expect(parseFstab(text)[0]?.file).toBe('/my data');
    expect(planFstab(text, { line: spaced, isOurs, force: false })).toEqual({ kind: 'unchanged' });
  });
  it('keeps comments and other lines in place', () => {
    const text =
      '# root\n/dev/vda / ext4 defaults 0 1\n/dev/vg/lv /data xfs defaults 0 0\n# swap\n/swapfile none swap sw 0 0\n';
    const r = planFstab(text, { line, isOurs, force: false });
    expect(r).toMatchObject({
      kind: 'write',
      content:
        '# root\n/dev/vda / ext4 defaults 0 1\nUUID=abc /data xfs noatime,nofail 0 0\n' +
        '# swap\n/swapfile none swap sw 0 0\n',
    });
  });
  it('nofail is added to the options when missing', () => {
    expect(withNofail('defaults')).toEqual(['defaults', 'nofail']);
    expect(withNofail('nofail,noatime')).toEqual(['nofail', 'noatime']);
  });
});

describe('parseSize', () => {
  it('binary units as lvcreate and fallocate read them', () => {
    expect(parseSize('400G')).toBe(400 * 2 ** 30);
    expect(parseSize('4g')).toBe(4 * 2 ** 30);
    expect(parseSize('512MiB')).toBe(512 * 2 ** 20);
    expect(parseSize('4096')).toBe(4096);
    expect(() => parseSize('lots')).toThrow(/not a size/);
    expect(() => parseSize('lots')).toThrow(UsageError);
    expect(() => parseSize('0G')).toThrow();
  });
});
