import { withOptions } from '../../shell/command.js';
import type { Fact } from '../../facts/fact.js';
import type { Step } from '../step.js';

/** Storage work needs root: wrap a step in sudo when the login user is not root. */
export function stepAsRoot(s: Step, sudo: boolean): Step {
  return sudo ? { ...s, command: withOptions(s.command, { sudo: true }) } : s;
}

export function factAsRoot<T>(f: Fact<T>, sudo: boolean): Fact<T> {
  return sudo ? { ...f, command: withOptions(f.command, { sudo: true }) } : f;
}

/** sudo unless the inventory says the login user is root (or names no user: ssh config decides). */
export function needsSudo(user: string | undefined): boolean {
  return user !== undefined && user !== 'root';
}
