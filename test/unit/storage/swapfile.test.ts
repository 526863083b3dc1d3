import { describe, expect, it } from 'vitest';
import { planSwapfile } from '../../../src/ops/storage/index.js';
import { parseSwapfileFacts, type SwapfileFacts } from '../../../src/facts/storage/index.js';
import { render } from '../../../src/shell/command.js';

const P = { size: '64M', path: '/swapfile', force: false };
const FSTAB = '/dev/vda / ext4 defaults,noatime 0 0\n';
const none: SwapfileFacts = { file: undefined, signature: {}, active: [], fstab: FSTAB };
const done: SwapfileFacts = {
  file: { sizeBytes: 64 * 2 ** 20, mode: '600', type: 'regular file' },
  signature: { TYPE: 'swap', UUID: 'x', USAGE: 'other' },
  active: [{ filename: '/swapfile', type: 'file', sizeKb: 65532 }],
  fstab: `${FSTAB}/swapfile none swap sw 0 0\n`,
};
const cmds = (f: SwapfileFacts, p = P) =>
  planSwapfile(p, f).steps.map((s) => [s.id, render(s.command, { masked: false })]);

describe('planSwapfile', () => {
  it('fresh: create (fallocate, chmod 600, mkswap), one fstab line, swapon', () => {
    const plan = planSwapfile(P, none);
    expect(cmds(none)).toEqual([
      ['swapfile-create', 'fallocate -l 67108864 /swapfile && chmod 600 /swapfile && mkswap /swapfile'],
      [
        'fstab',
        'mkdir -p /etc && ( cat > /etc/fstab.ferry-tmp ) && chmod 644 /etc/fstab.ferry-tmp' +
          ' && mv -f /etc/fstab.ferry-tmp /etc/fstab',
      ],
      ['swapon', 'swapon /swapfile'],
    ]);
    expect(plan.steps[1]?.stdin).toBe(`${FSTAB}/swapfile none swap sw 0 0\n`);
  });
  it('done: nothing', () => expect(cmds(done)).toEqual([]));
  it('other swap lines (mount point "none" too) are left alone', () => {
    const f = { ...done, fstab: `${done.fstab}/dev/vdz none swap sw 0 0\n` };
    expect(cmds(f)).toEqual([]);
  });
  it('not active after a reboot without the fstab line: line + swapon only', () => {
    expect(cmds({ ...done, active: [], fstab: FSTAB }).map(([id]) => id)).toEqual(['fstab', 'swapon']);
  });
  it('a different size: swapoff, remove, recreate, swapon', () => {
    expect(cmds(done, { ...P, size: '128M' }).map(([id]) => id)).toEqual([
      'swapoff',
      'swapfile-remove',
      'swapfile-create',
      'swapon',
    ]);
  });
  it('a file that is not swap is refused unless --force', () => {
    const f = { ...none, file: { sizeBytes: 100, mode: '644', type: 'regular file' } };
    expect(planSwapfile(P, f).refusals).toEqual([
      { subject: '/swapfile', reason: 'exists and holds no swap signature (100 bytes)', forceable: true },
    ]);
    expect(cmds(f, { ...P, force: true }).map(([id]) => id)).toEqual([
      'swapfile-remove',
      'swapfile-create',
      'fstab',
      'swapon',
    ]);
  });
  it('parses its probe', () => {
    const out =
      '\n@@ferry:stat@@\n67108864 600 regular file\n' +
      '\n@@ferry:blkid@@\nDEVNAME=/swapfile\nTYPE=swap\n' +
      '\n@@ferry:swaps@@\nFilename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n' +
      '/swapfile                               file\t\t65532\t\t0\t\t-2\n' +
      '\n@@ferry:fstab@@\n@@present@@\n/swapfile none swap sw 0 0\n' +
      '\n@@ferry:end@@\n';
    expect(parseSwapfileFacts(out)).toEqual({
      file: { sizeBytes: 67108864, mode: '600', type: 'regular file' },
      signature: { DEVNAME: '/swapfile', TYPE: 'swap' },
      active: [{ filename: '/swapfile', type: 'file', sizeKb: 65532 }],
      fstab: '/swapfile none swap sw 0 0\n',
    });
  });
});
