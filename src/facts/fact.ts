import type { Command } from '../shell/command.js';

/** A read-only probe of a host: the command to run and a pure parser of its stdout. */
export interface Fact<T> {
  readonly name: string;
  readonly command: Command;
  parse(stdout: string): T;
}
