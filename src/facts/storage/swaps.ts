/** One active swap area from /proc/swaps. */
export interface SwapArea {
  readonly filename: string;
  readonly type: string;
  readonly sizeKb: number;
}

export function parseProcSwaps(text: string): SwapArea[] {
  return text
    .split('\n')
    .slice(1)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const f = l.split(/\s+/);
      return { filename: (f[0] ?? '').replace(/\\040/g, ' '), type: f[1] ?? '', sizeKb: Number(f[2] ?? 0) };
    });
}
