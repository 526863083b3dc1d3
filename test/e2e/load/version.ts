/**
 * The version a response body announces: JSON `{ "version": "1.2.3" }` (the demo app), else the
 * first `v1.2.3`-like token in text. undefined when there is none.
 */
export function versionOf(body: string): string | undefined {
  const text = body.trim();
  if (text.startsWith('{')) {
    try {
      const v = (JSON.parse(text) as { version?: unknown }).version;
      if (typeof v === 'string' && v !== '') return v;
      if (typeof v === 'number') return String(v);
    } catch {
      // not JSON after all: fall through to the text form
    }
  }
  return /\bv\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?/.exec(text)?.[0];
}
