import { StringDecoder } from 'node:string_decoder';

/** A line longer than this is passed on in pieces: a stream without newlines must not grow memory. */
export const MAX_LINE = 64 * 1024;

/**
 * Turns a byte stream into whole lines, for printing one remote stream with a `[host] ` prefix
 * without two hosts' output meeting inside a line. UTF-8 is decoded across chunk boundaries (a
 * character split between two chunks stays whole); `\n`, `\r\n` and a lone `\r` (a progress bar's
 * redraw) end a line, the ending not included; the rest waits for more, or for `end()`.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';
  /** the last chunk ended in `\r`: a `\n` opening the next one belongs to it */
  private afterCr = false;
  private readonly emit: (line: string) => void;
  private readonly maxLine: number;

  constructor(emit: (line: string) => void, maxLine = MAX_LINE) {
    this.emit = emit;
    this.maxLine = maxLine;
  }

  push(chunk: Buffer | string): void {
    let text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    if (text.length === 0) return;
    if (this.afterCr && text.startsWith('\n')) text = text.slice(1);
    this.afterCr = false;
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.line(this.partial + text.slice(start, i));
      this.partial = '';
      if (c === 13) {
        if (i + 1 === text.length) this.afterCr = true;
        else if (text.charCodeAt(i + 1) === 10) i++;
      }
      start = i + 1;
    }
    this.partial += text.slice(start);
    while (this.partial.length > this.maxLine) {
      this.line(this.partial.slice(0, this.maxLine));
      this.partial = this.partial.slice(this.maxLine);
    }
  }

  /** The stream ended: what is left (a last line without its newline) is a line too. */
  end(): void {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    this.afterCr = false;
    if (rest.length > 0) this.line(rest);
  }

  private line(text: string): void {
    this.emit(text);
  }
}
