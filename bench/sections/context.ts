import type { Row } from '../lib/report.js';

/** What every section gets from main. */
export interface SectionContext {
  /** runs per figure (median) */
  readonly runs: number;
  /** rows land here as soon as they are measured, so a section that fails later keeps them */
  readonly rows: Row[];
  log(line: string): void;
  note(line: string): void;
}
