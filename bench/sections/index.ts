import type { Row } from '../lib/report.js';
import type { SectionContext } from './context.js';
import { fanout } from './fanout.js';

export interface Section {
  readonly name: string;
  readonly title: string;
  readonly timeoutMs: number;
  run(ctx: SectionContext): Promise<Row[]>;
}

export const SECTIONS: readonly Section[] = [
  { name: 'fanout', title: 'uptime on 50 hosts: ferry vs bare ssh2, parallel-ssh, Fabric 2, Ansible; ferry on 200', timeoutMs: 20 * 60_000, run: fanout },
];
