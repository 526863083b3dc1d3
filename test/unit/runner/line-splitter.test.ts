import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../../src/runner/line-splitter.js';

function split(chunks: readonly (Buffer | string)[], maxLine?: number): string[] {
  const out: string[] = [];
  const s = new LineSplitter((l) => out.push(l), maxLine);
  for (const c of chunks) s.push(c);
  s.end();
  return out;
}

describe('LineSplitter', () => {
  it('holds a partial line until its newline arrives', () => {
    const out: string[] = [];
    const s = new LineSplitter((l) => out.push(l));
    s.push(Buffer.from('one\ntw'));
    expect(out).toEqual(['one']);
    s.push(Buffer.from('o'));
    expect(out).toEqual(['one']);
    s.push(Buffer.from('\nthree\n'));
    expect(out).toEqual(['one', 'two', 'three']);
    s.end();
    expect(out).toEqual(['one', 'two', 'three']);
  });

  it('a last line without a newline comes out at the end', () => {
    expect(split(['a\nb'])).toEqual(['a', 'b']);
    expect(split([''])).toEqual([]);
    expect(split(['\n'])).toEqual(['']);
  });

  it('CRLF is one line ending, also when split between chunks; a lone CR ends a line', () => {
    expect(split(['a\r\nb\r\n'])).toEqual(['a', 'b']);
    expect(split(['a\r', '\nb\r', '\n'])).toEqual(['a', 'b']);
    expect(split(['10%\r20%\r30%\n'])).toEqual(['10%', '20%', '30%']);
    expect(split(['a\r', 'b\n'])).toEqual(['a', 'b']);
  });

  it('a multibyte UTF-8 character split across chunks stays whole', () => {
    const bytes = Buffer.from('héllo → wörld 🚢\n', 'utf8');
    // every split point, including inside the 2-, 3- and 4-byte sequences
    for (let i = 1; i < bytes.length; i++) {
      expect(split([bytes.subarray(0, i), bytes.subarray(i)])).toEqual(['héllo → wörld 🚢']);
    }
    const one = [...bytes].map((b) => Buffer.from([b]));
    expect(split(one)).toEqual(['héllo → wörld 🚢']);
  });

  it('a line with no end is passed on in bounded pieces', () => {
    const out = split(['x'.repeat(25), 'y'.repeat(5), '\n'], 10);
    expect(out).toEqual(['xxxxxxxxxx', 'xxxxxxxxxx', 'xxxxxyyyyy']);
    expect(split(['x'.repeat(12)], 10)).toEqual(['xxxxxxxxxx', 'xx']);
    expect(out.join('')).toBe(`${'x'.repeat(25)}${'y'.repeat(5)}`);
  });
});
