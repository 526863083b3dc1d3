import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileContent, fileSection, probe, section, splitSections } from '../../../../src/facts/storage/sections.js';
import { render } from '../../../../src/shell/command.js';
import { localSh } from '../../../helpers/local-sh.js';

describe('batched probe sections', () => {
  it('file contents come back byte for byte, with or without a trailing newline; absent ≠ empty', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-sections-'));
    const files = { a: 'one\ntwo\n', b: 'no newline', c: '', d: '\n\n' };
    for (const [k, v] of Object.entries(files)) writeFileSync(join(dir, k), v);
    const cmd = probe(
      ...Object.keys(files).map((k) => fileSection(k, join(dir, k))),
      fileSection('missing', join(dir, 'nope')),
      section('tool', 'printf x'),
    );
    const r = await localSh(cmd);
    expect(r.code, r.stderr).toBe(0);
    const s = splitSections(r.stdout);
    for (const [k, v] of Object.entries(files)) expect(fileContent(s.get(k))).toBe(v);
    expect(fileContent(s.get('missing'))).toBeUndefined();
    expect(s.get('tool')).toBe('x');
  });
  it('a failing tool leaves its section empty and the probe going', async () => {
    const r = await localSh(probe(section('bad', 'exit 3'), section('after', 'echo ok')));
    expect(r.code, r.stderr).toBe(0);
    const s = splitSections(r.stdout);
    expect(s.get('bad')).toBe('');
    expect(s.get('after')).toBe('ok\n');
  });
  it('the probe uses && between sections, never ;', () => {
    expect(render(probe(section('a', 'true'), section('b', 'true')), { masked: false })).not.toContain(';');
  });
});
