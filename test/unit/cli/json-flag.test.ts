import { describe, expect, it } from 'vitest';
import { commandWord, isJsonFile, normalizeJsonFlag } from '../../../src/cli/command-word.js';

describe('--json and the word after it', () => {
  it('takes the next word as its file only when it reads as one', () => {
    expect(['-', 'out.json', './out', '/tmp/r', 'reports/x'].map(isJsonFile)).toEqual([true, true, true, true, true]);
    expect(['disk', 'demo', 'deploy', '--tag', undefined].map(isJsonFile)).toEqual([false, false, false, false, false]);
  });

  it('is rewritten so commander never takes a command or its argument as the file', () => {
    expect(normalizeJsonFlag(['--json', 'disk', '--hosts', 'h1'])).toEqual(['--json=-', 'disk', '--hosts', 'h1']);
    expect(normalizeJsonFlag(['releases', '--json', 'demo'])).toEqual(['releases', '--json=-', 'demo']);
    expect(normalizeJsonFlag(['--json', 'r.json', 'deploy'])).toEqual(['--json=r.json', 'deploy']);
    expect(normalizeJsonFlag(['--json=disk', 'run'])).toEqual(['--json=disk', 'run']);
    expect(normalizeJsonFlag(['deploy', 'demo', '--json'])).toEqual(['deploy', 'demo', '--json=-']);
    // a flag's own value and the words after `--` are left alone
    expect(normalizeJsonFlag(['--project', '--json', 'run'])).toEqual(['--project', '--json', 'run']);
    expect(normalizeJsonFlag(['run', '--json', '--', 'cat', '--json', 'x'])).toEqual([
      'run',
      '--json=-',
      '--',
      'cat',
      '--json',
      'x',
    ]);
  });

  it('the command word is read the same way, raw or rewritten', () => {
    for (const argv of [
      ['--json', 'disk', '--hosts', 'h1'],
      ['--json', 'out.json', 'disk'],
      ['--inventory', 'i.yaml', '--json', 'disk'],
    ]) {
      expect(commandWord(argv)).toBe('disk');
      expect(commandWord(normalizeJsonFlag(argv))).toBe('disk');
    }
  });
});
