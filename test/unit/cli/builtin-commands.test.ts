import { expect, test } from 'vitest';
import { BUILTIN_COMMANDS } from '../../../src/cli/builtin-commands.js';
import { buildProgram } from '../../../src/cli/program.js';

test('the list of built-in names is exactly the commands the program builds', async () => {
  const program = await buildProgram(['--help'], [], () => undefined);
  expect(program.commands.map((c) => c.name()).sort()).toEqual([...BUILTIN_COMMANDS].sort());
});
