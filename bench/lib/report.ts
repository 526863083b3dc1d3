/** One comparison line: ferry's figure, the peer's (same run, same fleet), their ratio. */
export interface Row {
  readonly section: string;
  readonly what: string;
  readonly unit: string;
  readonly ferry: number | null;
  readonly peer: number | null;
  readonly peerName: string;
  /** ferry / peer */
  readonly ratio: number | null;
  /** e.g. "≤ 0.4 s" */
  readonly target?: string;
  /** whether the target is met, when there is one */
  readonly pass?: boolean;
}

export interface SectionResult {
  readonly section: string;
  readonly status: 'ok' | 'error' | 'timeout' | 'skipped';
  readonly seconds: number;
  readonly rows: readonly Row[];
  readonly notes: readonly string[];
  readonly error?: string;
  /** when, and the 1-minute load average when the section started */
  readonly taken?: { readonly date: string; readonly load1: number };
}

/** A row builder for one section. */
export function rowsFor(
  section: string,
  rows: Row[] = [],
): {
  rows: Row[];
  add(r: Omit<Row, 'section' | 'ratio'> & { ratio?: number | null }): void;
} {
  return {
    rows,
    add(r) {
      const ratio =
        r.ratio !== undefined ? r.ratio : r.ferry !== null && r.peer !== null && r.peer !== 0 ? r.ferry / r.peer : null;
      rows.push({ section, ...r, ratio });
    },
  };
}
