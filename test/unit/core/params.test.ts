import { Command } from 'commander';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { addParamOptions, paramSpecs, parseParams } from '../../../src/cli/param-options.js';

const schema = z.object({
  name: z.string().describe('who'),
  count: z.number().int().default(2),
  force: z.boolean().default(false),
  devices: z.array(z.string()).min(1),
  mode: z.enum(['fast', 'safe']).optional(),
  readAhead: z.number().optional(),
});

function parse(argv: string[]) {
  const specs = paramSpecs(schema);
  const c = new Command('t').exitOverride();
  addParamOptions(c, specs);
  c.parse(argv, { from: 'user' });
  return parseParams(schema, specs, c.opts());
}

describe('task params → flags', () => {
  it('describes kinds, required and defaults', () => {
    const specs = paramSpecs(schema);
    expect(specs.map((s) => [s.flag, s.kind, s.required])).toEqual([
      ['name', 'string', true],
      ['count', 'number', false],
      ['force', 'boolean', false],
      ['devices', 'list', true],
      ['mode', 'enum', false],
      ['read-ahead', 'number', false],
    ]);
    expect(specs.find((s) => s.key === 'mode')?.choices).toEqual(['fast', 'safe']);
    expect(specs.find((s) => s.key === 'name')?.description).toBe('who');
  });

  it('converts and validates', () => {
    expect(
      parse(['--name', 'x', '--devices', '/dev/a,/dev/b', '--devices', '/dev/c', '--force', '--read-ahead', '65536']),
    ).toEqual({
      name: 'x',
      count: 2,
      force: true,
      devices: ['/dev/a', '/dev/b', '/dev/c'],
      readAhead: 65536,
    });
  });

  it('a given list replaces a list default (it is not appended to it)', () => {
    const withDefault = z.object({ packages: z.array(z.string()).default(['a', 'b']) });
    const specs = paramSpecs(withDefault);
    const run = (argv: string[]) => {
      const c = new Command('t').exitOverride();
      addParamOptions(c, specs);
      c.parse(argv, { from: 'user' });
      return parseParams(withDefault, specs, c.opts());
    };
    expect(run([])).toEqual({ packages: ['a', 'b'] });
    expect(run(['--packages', 'x,y'])).toEqual({ packages: ['x', 'y'] });
    expect(run(['--packages', 'x', '--packages', 'y'])).toEqual({ packages: ['x', 'y'] });
  });

  it('names the flag in errors', () => {
    expect(() => parse(['--devices', 'a'])).toThrow(/--name/);
    expect(() => parse(['--name', 'x'])).toThrow(/--devices/);
    expect(() => parse(['--name', 'x', '--devices', 'a', '--count', 'two'])).toThrow(/--count expects a number/);
    expect(() => parse(['--name', 'x', '--devices', 'a', '--mode', 'slow'])).toThrow();
  });
});

describe('command word before commander runs', async () => {
  const { commandWord } = await import('../../../src/cli/command-word.js');
  it.each([
    [['--inventory', 'x.yaml', '-i', 'k', 'deploy', 'demo'], 'deploy'],
    [['--json', 'r.json', 'run', '--', 'ls'], 'run'],
    [['--json', '--dry-run', 'releases', 'demo'], 'releases'],
    [['--dry-run', '--', 'x'], undefined],
    [['--project=/p', 'hello'], 'hello'],
  ])('%j → %s', (argv, word) => {
    expect(commandWord(argv)).toBe(word);
  });
});
