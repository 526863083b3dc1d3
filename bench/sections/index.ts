import type { Row } from '../lib/report.js';
import { bundling } from './bundling.js';
import type { SectionContext } from './context.js';
import { fanout } from './fanout.js';
import { latency } from './latency.js';
import { prepSection } from './prep.js';
import { push } from './push.js';
import { relay } from './relay.js';
import { scale } from './scale.js';
import { rolling } from './rolling.js';
import { startup } from './startup.js';
import { stream } from './stream.js';

export interface Section {
  readonly name: string;
  readonly title: string;
  readonly timeoutMs: number;
  run(ctx: SectionContext): Promise<Row[]>;
}

const MIN = 60_000;

export const SECTIONS: readonly Section[] = [
  {
    name: 'fanout',
    title: 'uptime on 50 hosts: ferry vs bare ssh2, parallel-ssh, Fabric 2, Ansible; ferry on 200',
    timeoutMs: 20 * MIN,
    run: fanout,
  },
  {
    name: 'stream',
    title: 'one host printing 50 MB through ferry run (streamed): peak RSS, wall vs ssh',
    timeoutMs: 10 * MIN,
    run: stream,
  },
  {
    name: 'scale',
    title: 'true on 50/200/500/1,000 hosts at -j 100: ferry vs the bare-ssh2 floor capped at 100; parallel-ssh, Fabric',
    timeoutMs: 60 * MIN,
    run: scale,
  },
  {
    name: 'relay',
    title: 'first deploy of 50 MB to 100 hosts: plain push vs --relay 4 (control bytes, wall)',
    timeoutMs: 30 * MIN,
    run: relay,
  },
  {
    name: 'latency',
    title: 'first deploy and unchanged redeploy at 50 ms RTT (userspace proxy), 10 hosts: ferry vs Ansible, Fabric',
    timeoutMs: 30 * MIN,
    run: latency,
  },
  { name: 'startup', title: 'ferry --list start-up in the repo root', timeoutMs: 3 * MIN, run: startup },
  {
    name: 'push',
    title: '50 MB to 10 hosts: ferry deploy vs parallel-scp; unchanged redeploy; peak RSS pushing 1 GB',
    timeoutMs: 40 * MIN,
    run: push,
  },
  {
    name: 'bundle',
    title: 'bundle build of a ~20,000-file node_modules vs tar czf (bench/bundle.ts)',
    timeoutMs: 20 * MIN,
    run: bundling,
  },
  {
    name: 'rolling',
    title: 'rolling restart of 4 hosts behind HAProxy vs the bare restart + health times',
    timeoutMs: 15 * MIN,
    run: rolling,
  },
  {
    name: 'prep',
    title: 'no-op prep of 11 ops on 50 hosts: ferry vs ferry run -- true and the same play in Ansible',
    timeoutMs: 60 * MIN,
    run: prepSection,
  },
];
