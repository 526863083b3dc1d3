/** A value that must never be shown: rendered as `***` wherever a human or a file can see it. */
export interface Secret {
  readonly secret: string;
}

export const MASK = '***';

export function secret(value: string): Secret {
  return { secret: value };
}

export function isSecret(word: unknown): word is Secret {
  return typeof word === 'object' && word !== null && typeof (word as Secret).secret === 'string';
}

/** Replace every occurrence of every known secret value in free text (output tails, messages). */
export function maskText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (s.length > 0) out = out.split(s).join(MASK);
  }
  return out;
}
