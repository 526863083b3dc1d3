/** What every section gets from main. */
export interface SectionContext {
  /** runs per figure (median) */
  readonly runs: number;
  log(line: string): void;
  note(line: string): void;
}
