import { cmd } from '../../shell/command.js';
import { quote } from '../../shell/quote.js';
import { step } from '../step.js';
import type { OpPlan, PrepOp } from './op.js';
import { accountName } from './validate.js';

export interface GroupOptions {
  readonly name: string;
  readonly system?: boolean;
}

export function planGroup(o: GroupOptions, exists: boolean): OpPlan {
  if (exists) return { steps: [], unchanged: [`group ${o.name}`], refusals: [] };
  const title = `create ${o.system ? 'system ' : ''}group ${o.name}`;
  return {
    steps: [step(`group ${o.name}: create`, title, cmd('groupadd', ...(o.system ? ['--system'] : []), o.name))],
    unchanged: [],
    refusals: [],
  };
}

export function group(o: GroupOptions): PrepOp<boolean> {
  const name = accountName('group', o.name);
  return {
    kind: 'prep-op',
    id: `group ${name}`,
    subject: `group:${name}`,
    probes: [{ name: 'group', script: `getent group ${quote(name)}` }],
    parse: (s) => (s('group') ?? '').trim() !== '',
    plan: (exists) => planGroup({ ...o, name }, exists),
    onChange: [],
  };
}
