import { expect, it } from 'vitest';
import { parseInventoryFile } from '../../../src/project/parse-inventory.js';

// YAML syntax errors are placed where the parser found them, not at line 1
it.each([
  ['a duplicate host', 'hosts:\n  a: { address: x }\n  a: { address: y }\n', /^inv\.yaml:3:3: Map keys must be unique/],
  ['an indentation error', 'hosts:\n  a:\n    address: x\n   roles: [app]\n', /^inv\.yaml:4:1: All mapping items/],
  ['an unclosed flow sequence', 'hosts:\n  b:\n    roles: [app\n', /^inv\.yaml:\d+:\d+: /],
])('%s names its line', (_name, text, expected) => {
  expect(() => parseInventoryFile('inv.yaml', text)).toThrow(expected);
  try {
    parseInventoryFile('inv.yaml', text);
  } catch (e) {
    expect((e as Error).message).not.toMatch(/^inv\.yaml:1:1:/);
  }
});
